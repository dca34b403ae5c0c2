"""Trains the ETA regressor on a training set built by serving/src/training and exports it to ONNX.

Run by `npm run train` (serving/src/training/main.ts) inside .freshet/venv, never by hand:

    python serving/model/train.py --spec <work>/spec.json

The spec names the training set (JSON Lines: one leg per line, the label, the leg start time and every model
input by name, null when missing), the input order, and where to write:

- model.onnx: a float32 [N, len(inputs)] -> float32 [N, 1] regressor (seconds);
- result.json: imputation defaults, holdout metrics next to the baseline, training range and row counts, which
  the TypeScript side turns into model-card.json;
- holdout-predictions.jsonl: each holdout row's float32 input vector and sklearn's prediction, so the caller can
  check that onnxruntime gives the same numbers.

Missing inputs get their default (the training split's mean, or 0 for counts), exactly what serving substitutes
(the card's `default`), so the model never sees a value at training time that it could not see in production. The holdout is the latest ~20 %
of legs by start time: the model is judged on a future it was not fitted on.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import onnx
from skl2onnx import convert_sklearn
from skl2onnx.common.data_types import FloatTensorType
from sklearn.ensemble import HistGradientBoostingRegressor

# Small on purpose: a few hundred trees of <= 15 leaves keep model.onnx around 100-300 KB and a batch of
# 2 x 50 legs well under a millisecond in onnxruntime. Absolute error, because MAE is what the card reports.
PARAMS = dict(
    loss="absolute_error",
    learning_rate=0.06,
    max_iter=400,
    max_leaf_nodes=15,
    min_samples_leaf=20,
    l2_regularization=1.0,
    early_stopping=True,
    validation_fraction=0.15,
    n_iter_no_change=30,
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", required=True, type=Path)
    args = parser.parse_args()
    spec = json.loads(args.spec.read_text())
    started = time.perf_counter()

    inputs = [i["name"] for i in spec["inputs"]]
    fill = {i["name"]: i["fill"] for i in spec["inputs"] if i["on_missing"] == "default"}
    rows = [json.loads(line) for line in Path(spec["training_set"]).read_text().splitlines() if line.strip()]
    if len(rows) < 50:
        raise SystemExit(f"train.py: only {len(rows)} training rows; simulate more history (--hours, --cars)")
    rows.sort(key=lambda r: (r["timestamp"], r["ride_id"], r["leg"]))

    # Time split: everything at or after the cut is holdout, so legs starting at the same instant stay together.
    cut_ts = rows[int(len(rows) * (1 - spec["holdout_fraction"]))]["timestamp"]
    train = [r for r in rows if r["timestamp"] < cut_ts]
    holdout = [r for r in rows if r["timestamp"] >= cut_ts]

    defaults = {}
    for name in inputs:
        values = [r[name] for r in train if r[name] is not None]
        if name not in fill:
            missing = sum(1 for r in rows if r[name] is None)
            if missing:
                raise SystemExit(f"train.py: input {name} is 'refuse' but {missing} rows miss it")
        elif fill[name] == "zero" or not values:
            defaults[name] = 0.0
        else:
            # Rounded before use: the card carries this exact number, and serving feeds it as is.
            defaults[name] = round(float(np.mean(values)), 6)

    def matrix(part):
        # Serving feeds float32: cast once here, so sklearn fits and predicts on exactly what onnxruntime sees.
        x = np.array([[defaults[n] if r[n] is None else r[n] for n in inputs] for r in part], dtype=np.float64)
        return x.astype(np.float32)

    x_train, x_hold = matrix(train), matrix(holdout)
    y_train = np.array([r[spec["label"]] for r in train], dtype=np.float64)
    y_hold = np.array([r[spec["label"]] for r in holdout], dtype=np.float64)

    model = HistGradientBoostingRegressor(random_state=spec["seed"], **PARAMS).fit(x_train, y_train)
    snap_thresholds_to_float32(model)
    pred_hold = model.predict(x_hold)

    baseline = fit_baseline(train, spec["label"])
    base_hold = np.array([baseline.predict(r) for r in holdout])

    out = Path(spec["out_dir"])
    out.mkdir(parents=True, exist_ok=True)
    onnx_model = convert_sklearn(
        model,
        initial_types=[(spec["onnx_input"], FloatTensorType([None, len(inputs)]))],
        final_types=[(spec["onnx_output"], FloatTensorType([None, 1]))],
        # ai.onnx.ml 3 is the TreeEnsembleRegressor every onnxruntime of the last years runs.
        target_opset={"": 17, "ai.onnx.ml": 3},
    )
    onnx_model.doc_string = "Freshet ETA: seconds to drive one leg (see model-card.json)"
    # skl2onnx names the graph with a random uuid: a fixed name makes the same fit give the same bytes (and sha).
    onnx_model.graph.name = "freshet_eta"
    onnx.checker.check_model(onnx_model)
    (out / "model.onnx").write_bytes(onnx_model.SerializeToString())

    with open(spec["predictions"], "w") as f:
        for r, x, p, b in zip(holdout, x_hold, pred_hold, base_hold):
            f.write(
                json.dumps(
                    {
                        "ride_id": r["ride_id"],
                        "leg": r["leg"],
                        "timestamp": r["timestamp"],
                        "label_s": r[spec["label"]],
                        "inputs": [float(v) for v in x],
                        "sklearn_s": float(p),
                        "baseline_s": float(b),
                    }
                )
                + "\n"
            )

    legs = np.array([r["leg"] for r in holdout])
    result = {
        "defaults": defaults,
        "training_rows": len(train),
        "holdout_rows": len(holdout),
        "training_range_ms": [train[0]["timestamp"], train[-1]["timestamp"]],
        "holdout_range_ms": [holdout[0]["timestamp"], holdout[-1]["timestamp"]],
        "model": {"mae_s": mae(pred_hold, y_hold), "p90_abs_error_s": p90(pred_hold, y_hold)},
        "baseline": {
            "name": "distance / mean speed",
            "detail": "haversine leg distance / the training split's mean speed of its leg kind "
            + ", ".join(f"({k}: {v:.1f} km/h)" for k, v in baseline.speed_kmh.items()),
            "mae_s": mae(base_hold, y_hold),
            "p90_abs_error_s": p90(base_hold, y_hold),
        },
        "by_leg": {
            kind: {
                "holdout_rows": int((legs == kind).sum()),
                "mae_s": mae(pred_hold[legs == kind], y_hold[legs == kind]),
                "baseline_mae_s": mae(base_hold[legs == kind], y_hold[legs == kind]),
            }
            for kind in ("pickup", "trip")
            if (legs == kind).any()
        },
        "sklearn": {"estimator": "HistGradientBoostingRegressor", "n_iter": int(model.n_iter_), **PARAMS},
        "seconds": round(time.perf_counter() - started, 2),
    }
    Path(spec["result"]).write_text(json.dumps(result, indent=2) + "\n")
    return 0


def snap_thresholds_to_float32(model: HistGradientBoostingRegressor) -> None:
    """Replaces each split threshold t by the largest float32 <= t.

    sklearn compares float32 inputs with float64 thresholds (midpoints between bin edges); ONNX stores thresholds
    as float32, so a threshold rounded up past an input sends that input the other way, and one row in a few
    hundred comes out tens of seconds off. For every float32 x, `x <= t` and `x <= floor32(t)` agree, so this
    changes no prediction sklearn makes on float32 inputs and makes the export exact.
    """
    for trees in model._predictors:
        for tree in trees:
            t = tree.nodes["num_threshold"]
            f = t.astype(np.float32)
            above = f.astype(np.float64) > t
            f[above] = np.nextafter(f[above], np.float32(-np.inf))
            tree.nodes["num_threshold"] = f.astype(np.float64)


class Baseline:
    """distance / speed, with one mean speed per leg kind (a pickup leg also waits for dispatch and boarding)."""

    def __init__(self, speed_kmh: dict[str, float]):
        self.speed_kmh = speed_kmh

    def predict(self, row) -> float:
        return row["leg_distance_km"] / self.speed_kmh[leg_kind(row)] * 3600


def fit_baseline(train, label: str) -> Baseline:
    speed = {}
    for kind in ("pickup", "trip"):
        part = [r for r in train if leg_kind(r) == kind]
        km = sum(r["leg_distance_km"] for r in part)
        hours = sum(r[label] for r in part) / 3600
        speed[kind] = km / hours if hours > 0 and km > 0 else 25.0
    return Baseline(speed)


def leg_kind(row) -> str:
    return "pickup" if row["is_pickup_leg"] == 1 else "trip"


def mae(pred, actual) -> float:
    return round(float(np.mean(np.abs(pred - actual))), 2)


def p90(pred, actual) -> float:
    return round(float(np.quantile(np.abs(pred - actual), 0.9)), 2)


if __name__ == "__main__":
    if sys.version_info < (3, 10):
        raise SystemExit(f"train.py needs Python 3.10+, got {sys.version.split()[0]}")
    sys.exit(main())
