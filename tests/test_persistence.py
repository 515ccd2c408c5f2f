"""Persistence: pickle and skops round trips, and the version that saved a model.

Both round trips predict identically, the version that saved a model is recorded, and
loading a model saved by another sk_mlpbp version warns. (The command line's model
files are in tests/test_model_files.py.)
"""

import pickle
import warnings

import pytest
from numpy.testing import assert_array_equal

import sk_mlpbp
from sk_mlpbp import MLPBackpropClassifier
from sk_mlpbp.exceptions import InconsistentVersionWarning
from tests._helpers import assert_same_model


def skops_dumps(clf):
    return pytest.importorskip("skops.io").dumps(clf)


def skops_loads(data):
    sio = pytest.importorskip("skops.io")
    untrusted = sio.get_untrusted_types(data=data)
    # Nothing but the estimator itself needs trusting.
    assert untrusted == ["sk_mlpbp._mlp.MLPBackpropClassifier"]
    return sio.loads(data, trusted=untrusted)


FORMATS = [
    pytest.param((pickle.dumps, pickle.loads), id="pickle"),
    pytest.param((skops_dumps, skops_loads), id="skops"),
]


def round_trip(clf, dumps=pickle.dumps, loads=pickle.loads):
    return loads(dumps(clf))


@pytest.mark.parametrize("serialization", FORMATS)
def test_round_trips_predict_identically(fitted_model, three_classes, serialization):
    X, _ = three_classes
    with warnings.catch_warnings():
        warnings.simplefilter("error", InconsistentVersionWarning)
        loaded = round_trip(fitted_model, *serialization)
    assert_same_model(fitted_model, loaded)
    assert_array_equal(loaded.predict_proba(X), fitted_model.predict_proba(X))
    assert_array_equal(loaded.predict(X), fitted_model.predict(X))
    assert loaded.get_params() == fitted_model.get_params()
    assert loaded.loss_curve_ == fitted_model.loss_curve_


@pytest.mark.parametrize("serialization", FORMATS)
def test_loading_a_model_of_another_version_warns(
    fitted_model, three_classes, serialization, monkeypatch
):
    X, _ = three_classes
    dumps, loads = serialization
    data = dumps(fitted_model)
    saved_by = sk_mlpbp.__version__
    monkeypatch.setattr(sk_mlpbp, "__version__", "99.0")
    with pytest.warns(InconsistentVersionWarning) as record:
        loaded = loads(data)
    (warning,) = [w.message for w in record]
    assert warning.original_version == saved_by
    assert warning.current_version == "99.0"
    assert f"saved by sk_mlpbp {saved_by}" in str(warning)
    assert_array_equal(loaded.predict_proba(X), fitted_model.predict_proba(X))


def test_a_model_pickled_before_versions_were_recorded_warns(fitted_model):
    state = fitted_model.__getstate__()
    del state["_sk_mlpbp_version"]
    loaded = MLPBackpropClassifier.__new__(MLPBackpropClassifier)
    with pytest.warns(InconsistentVersionWarning, match="saved by sk_mlpbp unknown"):
        loaded.__setstate__(state)
    assert "_sk_mlpbp_version" not in vars(loaded)


def test_pickled_state_records_the_version_but_the_model_does_not_keep_it(fitted_model):
    assert fitted_model.__getstate__()["_sk_mlpbp_version"] == sk_mlpbp.__version__
    assert "_sk_mlpbp_version" not in vars(round_trip(fitted_model))
    assert "_sk_mlpbp_version" not in vars(fitted_model)


def test_unfitted_and_partially_fitted_models_round_trip(three_classes):
    X, y = three_classes
    clf = MLPBackpropClassifier((3,), learning_rate=0.7, random_state=0)
    assert round_trip(clf).get_params() == clf.get_params()
    clf.partial_fit(X, y, classes=[0, 1, 2])
    loaded = round_trip(clf).partial_fit(X, y)
    clf.partial_fit(X, y)
    assert_same_model(clf, loaded)
