"""Run a command under resource limits, optionally as another user: ``confine.py [options] -- CMD``.

Started with ``python -I confine.py`` (standard library only), so it works before and outside
the sandbox. The limits are inherited by everything CMD starts.
"""
import argparse
import os
import resource
import sys

LIMITS = {
    "memory": resource.RLIMIT_AS,
    "cpu": resource.RLIMIT_CPU,
    "processes": resource.RLIMIT_NPROC,
    "file_size": resource.RLIMIT_FSIZE,
    "open_files": resource.RLIMIT_NOFILE,
}


def main(argv):
    parser = argparse.ArgumentParser()
    for name in LIMITS:
        parser.add_argument(f"--{name.replace('_', '-')}", type=int)
    parser.add_argument("--uid", type=int)
    parser.add_argument("--gid", type=int)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    for name, which in LIMITS.items():
        value = getattr(args, name)
        if value is not None:
            resource.setrlimit(which, (value, value))
    if args.gid is not None:
        os.setgroups([])
        os.setgid(args.gid)
    if args.uid is not None:
        os.setuid(args.uid)
    os.execvp(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
