"""What the scale tests share: exit-status wording and the list of failed checks."""

import signal

failures = []  # every failed check of this test, in order


def describe_exit(code):
    """'exit 3', or 'killed by SIGSEGV' for a process a signal ended."""
    if code < 0:
        try:
            return "killed by " + signal.Signals(-code).name
        except ValueError:
            return "killed by signal %d" % -code
    return "exit %d" % code


def fail(message):
    """Records a failed check and prints it at once (the test goes on to find the others)."""
    failures.append(message)
    print("FAIL: " + message, flush=True)
