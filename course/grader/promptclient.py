"""A kernel client that starts on a notebook as soon as its new kernel has answered.

jupyter_client's client, waiting for a new kernel, sends ``kernel_info`` and, once the reply has
come and IOPub has shown a message, reads IOPub until it stays silent for 0.2 s; a client of a
kernel it did not start itself first polls the heartbeat every 0.2 s. Every grading kernel paid
that 0.2 to 0.4 s of waiting, with nothing left to wait for. :class:`PromptClient` is ready once
the kernel has replied to ``kernel_info`` on the shell channel and reported itself idle after it
on IOPub (so IOPub is connected, and nothing of the start-up is still on its way): the same
evidence, without the silence. Grading configures it for nbgrader's kernel managers
(``nbgrader_config.py``) and a learner's kernel (:mod:`course.grader.learnerkernel`).

Its sockets also retry their connection every :data:`RECONNECT_MS` rather than zmq's 100 ms: the
client connects as the kernel is launched, before the kernel has bound its ports, and a kernel
forked warm binds them within a few hundredths of a second; at zmq's pace the first request
waited up to 0.1 s more on each channel, and an IOPub status sent before the subscription had
joined was lost, costing a 0.2 s wait and a second request.
"""

import time
from queue import Empty

import zmq
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import KernelManager

IOPUB_WAIT = 0.05
"""Seconds to wait for the idle status after the reply before asking again (IOPub had not joined
when the kernel sent it); each new request is answered on IOPub too, once it has joined."""
RECONNECT_MS = 10
"""Milliseconds between a socket's attempts to reach a kernel that has not bound its port yet."""


class PromptClient(AsyncKernelClient):
    """jupyter_client's asynchronous kernel client, ready as soon as the kernel has answered."""

    process = None
    """The kernel's process (a ``subprocess.Popen``) when no KernelManager started it."""

    def start_channels(self, *args, **kwargs):
        """Start the channels as jupyter_client does, their sockets retrying every
        :data:`RECONNECT_MS` (a default of the context, shared with its kernel manager, that
        only sockets created afterwards take)."""
        self.context.setsockopt(zmq.RECONNECT_IVL, RECONNECT_MS)
        super().start_channels(*args, **kwargs)

    async def _async_wait_for_ready(self, timeout=None):
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            msg_id = self.kernel_info()
            if await self._answered(msg_id, min(1.0, deadline - time.monotonic())):
                return
            if not await self._kernel_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")

    wait_for_ready = _async_wait_for_ready

    async def _answered(self, msg_id, wait):
        """True once kernel_info ``msg_id`` has its reply on shell, within ``wait`` seconds, and
        its idle status on IOPub within :data:`IOPUB_WAIT` more."""
        end = time.monotonic() + max(wait, 0.0)
        while True:
            try:
                reply = await self.shell_channel.get_msg(timeout=max(end - time.monotonic(), 0))
            except Empty:
                return False
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        end = time.monotonic() + IOPUB_WAIT
        while True:
            try:
                message = await self.iopub_channel.get_msg(timeout=max(end - time.monotonic(), 0))
            except Empty:
                return False
            if (
                message["header"]["msg_type"] == "status"
                and message["parent_header"].get("msg_id") == msg_id
                and message["content"].get("execution_state") == "idle"
            ):
                self._handle_kernel_info_reply(reply)
                return True

    async def _kernel_alive(self):
        if isinstance(self.parent, KernelManager):
            return await self.parent._async_is_alive()
        return self.process is None or self.process.poll() is None
