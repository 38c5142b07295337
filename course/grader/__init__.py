"""The grading engine: what instructors and the ``course`` command run, not what notebooks import.

Students read :mod:`course` (data, plots, checks, widgets, hints); this subpackage grades:

- :mod:`.cli`: the ``course`` command (release, start, grade, progress, autograde, export,
  report, feedback, extend, remove-demo); each command imports only what it needs;
- :mod:`.paths`: where the course, the workspace and the cache are;
- :mod:`.pipeline`: nbgrader's API for the course (release, feedback, points per exercise);
- :mod:`.trusted`: test cells run in the grader, not in the student's kernel; :mod:`.grading`
  puts that into nbgrader's autograding (``TrustedExecute``);
- :mod:`.wire`: the plain data that crosses between the grader and a student's kernel;
- :mod:`.sandbox`: the bubblewrap sandbox of every grading kernel (and its kernelspec in
  ``kernels/``);
- :mod:`.classgrade` and :mod:`.worker`: a class's submissions, several students at once;
  :mod:`.warmstart` (a student's warm parent, :mod:`.warmparent`, in their sandbox) and
  :mod:`.provisioner` (each kernel forked from it, or started cold) and :mod:`.promptclient`
  (a kernel used as soon as it answers);
- :mod:`.standing`: where each submission stands (status, points, hand grading, lateness), read
  by :mod:`.exports` (the CSV), :mod:`.canvas` (Canvas's gradebook import layout),
  :mod:`.feedbackmarks` (feedback pages made true) and the report;
- :mod:`.deadlines` (extensions) and :mod:`.democlass` (the demo class, and removing it);
- :mod:`.classreport` and :mod:`.reportpage`: what the class got wrong, as an HTML report;
- :mod:`.selfstudy` and :mod:`.progress`: a learner grading their own notebook, without nbgrader:
  :mod:`.answerkey` (what nbgrader grades by, built once and cached), :mod:`.learnerclient`
  (the kernel's run), :mod:`.feedbackpage` (the learner's HTML page).

Importing this package loads nothing: a student's kernel imports :mod:`.wire` from it.
"""
