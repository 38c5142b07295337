"""The kernel provisioner of the course's grading kernelspec (``course/grader/kernels``): how
jupyter_client starts, signals and stops every grading kernel of the course, warm or cold.

While the worker grading a student has a warm parent for them (:func:`course.grader.warmstart.
current`), a kernel is forked from it: the provisioner copies the notebook's grading folder, but
its notebooks, into a folder of the parent's (in the sandbox, the only one it can write), has the
parent fork the kernel there, and stands for that kernel towards jupyter_client (poll, signal,
kill). Once the kernel and everything it started are gone, it makes the grading folder what the
kernel left in its own, as a cold kernel would have left it there; no notebook, and never
through a link. Otherwise (plain ``nbgrader autograde``, a student with one notebook, a parent
that died) the kernel starts cold from the kernelspec's command
(:func:`course.grader.sandbox.main`), as jupyter_client's ``LocalProvisioner`` starts any kernel.
"""

import asyncio
import json
import os
import shutil
import signal
import subprocess
import tempfile
import uuid
from pathlib import Path

from jupyter_client.provisioning import LocalProvisioner

from course.grader import warmstart

KILL_WAIT = 2.0
"""Seconds a kill waits for the kernel to be gone, before jupyter_client's own wait (5 s)."""


class GradingProvisioner(LocalProvisioner):
    """A grading kernel, forked from the student's warm parent when there is one, else cold."""

    warm = None
    """The :class:`course.grader.warmstart.WarmParent` the kernel was forked from (None: cold)."""
    ident = None
    """The kernel's id at its warm parent."""
    code = None
    """The warm kernel's exit code, once it and all it started are gone."""
    folder = None
    """The warm kernel's working folder (in the parent's folder when sandboxed)."""
    waited = False

    @property
    def has_process(self):
        if self.ident is not None:
            return not self.waited
        return super().has_process

    async def pre_launch(self, **kwargs):
        self.warm = warmstart.current()
        manager = self.parent
        if self.warm is not None and manager is not None:
            manager.ip = str(self.warm.sockets / "kernel")  # a folder the sandbox binds
        if manager is not None and not manager.connection_file:
            # beside its sockets (jupyter_client's default, a temporary file, outlives a worker
            # that is killed); removed with them
            name = f"kernel-{manager.kernel_id or uuid.uuid4().hex}.json"
            manager.connection_file = str(Path(manager.ip).parent / name)
        return await super().pre_launch(**kwargs)

    async def launch_kernel(self, cmd, **kwargs):
        if self.warm is None:
            return await super().launch_kernel(cmd, **kwargs)
        self.cwd = Path(kwargs.get("cwd") or os.getcwd())
        connection = Path(self.parent.connection_file).read_text()
        try:
            if self.warm.sandboxed:
                self.folder = Path(tempfile.mkdtemp(prefix="kernel-", dir=self.warm.kernels))
                copy_in(self.cwd, self.folder)
            else:
                self.folder = self.cwd
            self.ident = self.warm.start(json.loads(connection), self.folder)
        except warmstart.ParentGone:  # no more kernels from it: this one, and the next, cold
            warmstart.discard(self.warm)
            self._remove_folder()
            self.warm = self.ident = None
            return await super().launch_kernel(cmd, **kwargs)
        return self.connection_info

    async def poll(self):
        if self.ident is None:
            return await super().poll()
        if self.code is None:
            try:
                self.code = self.warm.exit_code(self.ident)
            except warmstart.ParentGone:  # its sandbox, and so the kernel, went with it
                self.code = -signal.SIGKILL
        return self.code

    async def wait(self):
        if self.ident is None:
            return await super().wait()
        while await self.poll() is None:
            await asyncio.sleep(0.02)
        self.waited = True
        return self.code

    async def send_signal(self, signum):
        if self.ident is None:
            return await super().send_signal(signum)
        try:
            self.warm.signal(self.ident, signum)
        except warmstart.ParentGone:
            pass

    async def kill(self, restart=False):
        # wait here, briefly, for the kernel to be gone: jupyter_client polls for it only every
        # 0.1 s, a tenth of a small notebook's grading
        if self.ident is None:
            await super().kill(restart)
            if self.process is not None:
                try:
                    self.process.wait(timeout=KILL_WAIT)
                except subprocess.TimeoutExpired:
                    pass
            return
        try:
            self.warm.kill(self.ident)
            self.code = self.warm.exit_code(self.ident, wait=KILL_WAIT)
        except warmstart.ParentGone:
            pass

    async def terminate(self, restart=False):
        if self.ident is None:
            return await super().terminate(restart)
        await self.kill(restart)

    async def cleanup(self, restart=False):
        if self.ident is not None and self.folder is not None:
            if await self.poll() is None:  # jupyter_client stopped waiting; the parent is stuck
                warmstart.discard(self.warm)
                self.code = -signal.SIGKILL
            if self.warm.sandboxed:
                mirror(self.folder, self.cwd)
            self._remove_folder()
        await super().cleanup(restart)

    def _remove_folder(self):
        """Remove the warm kernel's own working folder (not a cold kernel's grading folder)."""
        if self.warm is not None and self.warm.sandboxed and self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
        self.folder = None


def copy_in(source, folder):
    """Copy the grading folder ``source`` into the kernel's ``folder``, links as links; each
    notebook there (nbgrader's merge, hidden tests included) becomes an empty, read-only file,
    as the cold sandbox shows it."""
    shutil.copytree(source, folder, symlinks=True, dirs_exist_ok=True, ignore=_notebooks)
    for notebook in Path(source).glob("*.ipynb"):
        stand_in = folder / notebook.name
        stand_in.touch(mode=0o444)


def _notebooks(folder, names):
    """shutil.copytree's ``ignore``: the notebooks of the top folder."""
    return [name for name in names if name.endswith(".ipynb")]


def mirror(folder, target):
    """Make the grading folder ``target`` hold what the kernel left in its ``folder``: files and
    folders copied, what the kernel removed removed; ``target``'s own notebooks are left alone.
    Only regular files and folders are copied (a link the kernel made is not), and nothing is
    written through a link: an entry of ``target`` in the way is removed first."""
    _mirror(Path(folder), Path(target), top=True)


def _mirror(folder, target, top=False):
    wanted = {}
    for entry in os.scandir(folder):
        if not (top and entry.name.endswith(".ipynb")):
            wanted[entry.name] = entry
    for entry in list(os.scandir(target)):
        if top and entry.name.endswith(".ipynb"):
            continue
        if entry.name not in wanted or _kind(entry) != _kind(wanted[entry.name]):
            _remove(entry)
    for name, entry in wanted.items():
        destination = target / name
        if entry.is_dir(follow_symlinks=False):
            if not destination.is_dir():
                destination.mkdir()
            _mirror(Path(entry.path), destination)
        elif entry.is_file(follow_symlinks=False):
            shutil.copyfile(entry.path, destination, follow_symlinks=False)


def _kind(entry):
    """'dir', 'file' or 'other' (a link, a socket...), without following links."""
    if entry.is_dir(follow_symlinks=False):
        return "dir"
    return "file" if entry.is_file(follow_symlinks=False) else "other"


def _remove(entry):
    """Remove a folder entry; a link is removed, never followed."""
    if entry.is_dir(follow_symlinks=False):
        shutil.rmtree(entry.path, ignore_errors=True)
    else:
        os.unlink(entry.path)
