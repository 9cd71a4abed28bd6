"""dbt, started once per pytest worker that runs dbt (in `make test`, one): this process imports
dbt and parses the project (the workspace's parse, dbt_runs.Workspace), then runs each dbt command
a test sends it in a process forked from itself. A command so runs as `dbt <args>` does (dbt's own
command line entry, in the command's folder and environment, in a process of its own), without the
5-7 s of CPU a new dbt process spends importing dbt and compiling its serialisers before it does
anything.

Protocol, one JSON object a line: stdin {"args", "cwd", "env", "stdout", "stderr"} (the two
files the command's output goes to), stdout {"returncode"}. The first line out is {"ready":
returncode of the parse}. Run by dbt_runs.DbtServer; not a tool of its own."""

from __future__ import annotations

import atexit
import json
import os
import sys
import threading

from dbt.cli.main import cli, dbtRunner


def run(args: list[str], cwd: str, env: dict[str, str], stdout: str, stderr: str) -> int:
    """`dbt <args>` in a child process; its exit code."""
    # A fork copies this thread only: another thread's lock would stay locked in the child.
    assert threading.active_count() == 1, threading.enumerate()
    sys.stdout.flush()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 1
        try:
            for fd, path in ((1, stdout), (2, stderr)):
                os.dup2(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), fd)
            os.environ.clear()
            os.environ.update(env)
            os.chdir(cwd)
            try:
                cli.main(args=args, prog_name="dbt")  # what the `dbt` script runs; it exits
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
        finally:
            atexit._run_exitfuncs()  # as at the end of a dbt process
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def main() -> None:
    # the answers go out on a copy of stdout; dbt's own output here (the parse's) goes nowhere
    answers = os.fdopen(os.dup(1), "w")
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    # the first command, in this process: dbt's parse of the project, and everything dbt
    # imports and compiles for it, kept for the commands forked from here
    parsed = dbtRunner().invoke(sys.argv[1:])
    print(json.dumps({"ready": 0 if parsed.success else 1}), file=answers, flush=True)
    for line in sys.stdin:
        print(json.dumps({"returncode": run(**json.loads(line))}), file=answers, flush=True)


if __name__ == "__main__":
    main()
