"""Training on a real dask cluster.

GridSearchCV through joblib's dask backend, and dask-ml's Incremental wrapper
streaming a chunked dask array through partial_fit.

The cluster is a distributed.LocalCluster with two worker processes of one thread
each (this project's machines have two cores). Worker processes unpickle the
estimator, so everything shipped to them comes from installed packages (sk_mlpbp,
scikit-learn), never from this test module.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sk_mlpbp import MLPBackpropClassifier, make_article_data

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")
dask_ml_wrappers = pytest.importorskip("dask_ml.wrappers")
joblib = pytest.importorskip("joblib")


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        host="127.0.0.1",
    )
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def test_cluster_has_two_single_threaded_worker_processes(client):
    workers = client.scheduler_info()["workers"]
    assert len(workers) == 2
    assert all(worker["nthreads"] == 1 for worker in workers.values())


def test_grid_search_on_the_cluster_matches_the_local_run(client):
    X, y = make_article_data(150, random_state=0)
    search = GridSearchCV(
        make_pipeline(StandardScaler(), MLPBackpropClassifier(random_state=0)),
        {
            "mlpbackpropclassifier__learning_rate": [0.5, 1.5],
            "mlpbackpropclassifier__hidden_layer_sizes": [(2,), (4,)],
        },
        cv=StratifiedKFold(3, shuffle=True, random_state=0),
    )
    local = search.fit(X, y).cv_results_
    with joblib.parallel_backend("dask"), distributed.get_task_stream(client) as tasks:
        remote = GridSearchCV(**search.get_params(deep=False)).fit(X, y).cv_results_
    assert len({task["worker"] for task in tasks.data}) == 2  # both workers fitted
    for key in ["mean_test_score", "std_test_score"] + [
        f"split{i}_test_score" for i in range(3)
    ]:
        assert_allclose(remote[key], local[key], rtol=0, atol=0)
    assert remote["params"] == local["params"]


def test_incremental_trains_out_of_core_on_digits(client):
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=0
    )
    scaler = StandardScaler().fit(X_train)
    X_train = da.from_array(scaler.transform(X_train), chunks=(135, 64))
    y_train = da.from_array(y_train, chunks=135)
    incremental = dask_ml_wrappers.Incremental(
        MLPBackpropClassifier((64,), learning_rate=1.0, batch_size=4, random_state=0),
        scoring="accuracy",
        random_state=0,
    )
    for _ in range(10):
        incremental.partial_fit(X_train, y_train, classes=np.arange(10))
    fitted = incremental.estimator_
    assert fitted.n_iter_ == 10 * X_train.numblocks[0]
    assert fitted.t_ == 10 * X_train.shape[0]
    accuracy = incremental.score(da.from_array(scaler.transform(X_test)), y_test)
    assert accuracy >= 0.90
