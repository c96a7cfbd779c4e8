"""Print the installed versions of the distributions named on the command line, as one line
``LAL_REQS {"name": "version" | null, ...}`` on stdout, for the launcher's readiness checklist.

Reads package metadata only (importlib.metadata): nothing is imported, so a broken or heavy package
(transformers pulls in torch) cannot slow the check down or touch a GPU. Standard library only;
Python 3.8+, with a pkg_resources fallback for older interpreters.
"""
import json
import sys


def version_of(name):
    try:
        from importlib import metadata
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return None
    except ImportError:
        try:
            import pkg_resources
            return pkg_resources.get_distribution(name).version
        except Exception:
            return None
    except Exception:
        return None


out = {}
for name in sys.argv[1:]:
    out[name] = version_of(name)
sys.stdout.write("LAL_REQS " + json.dumps(out) + "\n")
sys.stdout.flush()
