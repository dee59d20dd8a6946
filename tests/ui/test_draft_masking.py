"""A half-typed call's draft never keeps a secret on disk that the ticket would not keep."""

from __future__ import annotations

from pathlib import Path

from deskui.screens.intake.drafts import FREE_TEXT, DraftStore, IntakeDraft


def test_secrets_in_every_free_text_field_are_masked_on_disk(tmp_path: Path) -> None:
    store = DraftStore(tmp_path / "intake.json")
    secrets = {name: f"密码：Sx{index}#secret" for index, name in enumerate(FREE_TEXT)}
    draft = IntakeDraft(lookup="zs", caller_name="张三")
    for name, value in secrets.items():
        setattr(draft, name, value)
    assert store.save(draft, 1, "2026-11-02T02:00:00+00:00")
    text = store.path.read_text(encoding="utf-8")
    for index in range(len(FREE_TEXT)):
        assert f"Sx{index}#secret" not in text
    loaded = store.load()
    assert loaded is not None
    assert all(getattr(loaded, name) == "密码：******" for name in FREE_TEXT)
    assert (loaded.lookup, loaded.caller_name) == ("zs", "张三")
    # the form's own state is left as typed: only the file is masked
    assert draft.description == secrets["description"]


def test_a_draft_without_secrets_is_written_as_typed(tmp_path: Path) -> None:
    store = DraftStore(tmp_path / "intake.json")
    draft = IntakeDraft(summary="打印机卡纸", description="忘记密码了，请帮忙重置")
    assert store.save(draft, 1, "2026-11-02T02:00:00+00:00")
    assert store.load() == draft
