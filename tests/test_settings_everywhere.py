"""Settings edited by an admin reach every dashboard process at its next rerun, not only the one
that saved them: the cached Settings and every cached figure are keyed by the settings file as it is
(ui.resources), so another process's save, or an edit of isms.toml, is read without a restart."""

import os
import shutil

from tests.conftest import ROOT


def test_a_settings_file_changed_elsewhere_is_read_at_the_next_call(tmp_path, monkeypatch):
    from ui import resources

    config = tmp_path / "isms.toml"
    shutil.copyfile(ROOT / "isms.toml", config)
    monkeypatch.setenv("ISMS_CONFIG", str(config))
    first = resources.settings()
    assert first.matrix.appetite == "Medium"
    key = resources._config_signature()
    assert resources.settings() is first  # cached while the file is as it was

    # another process (its Settings page) writes the file: nothing in this process is cleared
    config.write_text(config.read_text(encoding="utf-8").replace('appetite = "Medium"', 'appetite = "High"'),
                      encoding="utf-8")
    os.utime(config, ns=(os.stat(config).st_atime_ns, os.stat(config).st_mtime_ns + 1_000_000_000))
    assert resources.settings().matrix.appetite == "High"
    assert resources._config_signature() != key  # and so every page's cache key (data_version_key) moves too
