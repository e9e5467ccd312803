from tests.test_cli import handoff


def test_check_reports_missing_tin_keys(tmp_path):
    result = handoff("check", tmp_path=tmp_path)
    assert "HANDOFF_TIN_KEYS is not set" in result.stdout
    assert "HANDOFF_TIN_HASH_KEY is not set" in result.stdout
