"""Spare kernels: started ahead for one submission's files, used only for exactly those files."""
import pytest
from jupyter_core.utils import run_sync

from autograder import sandbox
from autograder.kernel import discard_spare, start_spare, take_spare


@pytest.mark.filterwarnings("error::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_spare_is_handed_over_connected_and_only_for_its_own_files(tmp_path):
    support = tmp_path / "support"
    support.mkdir()
    (support / "checks.py").write_text("x = 1\n")
    isolation = sandbox.detect()
    start_spare(("ann", "01_fc_layer"), support, isolation, sandbox.Limits())
    assert take_spare(("bob", "01_fc_layer"), support) is None  # another submission's
    km, scratch, kc = take_spare(("ann", "01_fc_layer"), support)
    try:
        assert kc.channels_running
        reply = run_sync(kc._async_recv_reply)(kc.kernel_info(), timeout=60)
        assert reply["content"]["status"] == "ok"
        assert (scratch / "files" / "checks.py").read_text() == "x = 1\n"
    finally:
        kc.stop_channels()
        run_sync(km.shutdown_kernel)(now=True)

    start_spare(("ann", "01_fc_layer"), support, isolation, sandbox.Limits())
    (support / "checks.py").write_text("x = 2\n")  # the files changed since the spare was started
    assert take_spare(("ann", "01_fc_layer"), support) is None
    discard_spare()
