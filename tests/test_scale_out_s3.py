"""Bronze's Delta lake on S3-compatible object storage by configuration alone (docs/scale_out.md):
the real bronze CLI, configured only by dlt's environment variables, loads the Delta lake
into a bucket of moto's S3 server on 127.0.0.1; the Delta tables read back from the bucket
hold the same rows as the warehouse's bronze. Run by `make test-spark` (moto has its own
venv, .venv-moto: its botocore pin clashes with dlt's s3fs)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import pytest
from bronze_checks import TABLES, data_columns, fingerprint
from conftest import ROOT, bronze_args
from deltalake import DeltaTable

import duckdb

pytestmark = pytest.mark.skipif(
    os.environ.get("RETAIL_SCALE_OUT") != "1", reason="a scale-out proof: run by `make test-spark`"
)

MOTO_SERVER = ROOT / ".venv-moto" / "bin" / "moto_server"
BUCKET, REGION, KEY, SECRET = "lake", "eu-west-1", "testing", "testing"  # moto accepts any keys


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    """moto's S3 server on a free loopback port, with an empty bucket."""
    if not MOTO_SERVER.exists():
        pytest.fail(f"{MOTO_SERVER} is missing: `make install-spark` builds .venv-moto from requirements-moto.lock")
    port = free_port()
    server = subprocess.Popen(
        [str(MOTO_SERVER), "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while socket.socket().connect_ex(("127.0.0.1", port)) != 0:
            assert server.poll() is None and time.monotonic() < deadline, "moto_server did not start"
            time.sleep(0.2)
        import s3fs

        s3fs.S3FileSystem(key=KEY, secret=SECRET, endpoint_url=endpoint).mkdir(BUCKET, region_name=REGION)
        yield endpoint
    finally:
        server.terminate()
        server.wait(timeout=10)


def lake_on_s3(endpoint: str) -> dict[str, str]:
    """dlt's standard environment variables: the Delta lake's bucket and its credentials."""
    prefix = "DESTINATION__FILESYSTEM__"
    return {
        f"{prefix}BUCKET_URL": f"s3://{BUCKET}/bronze",
        f"{prefix}CREDENTIALS__AWS_ACCESS_KEY_ID": KEY,
        f"{prefix}CREDENTIALS__AWS_SECRET_ACCESS_KEY": SECRET,
        f"{prefix}CREDENTIALS__ENDPOINT_URL": endpoint,
        f"{prefix}CREDENTIALS__REGION_NAME": REGION,
    }


def test_bronze_delta_lake_goes_to_s3_by_configuration(raw, s3_endpoint, tmp_path):
    target = tmp_path / "t"
    # the Parquet lake and the rejects stay local by design (DuckDB writes them; it cannot load
    # httpfs offline): only their folders are moved, also by environment
    env = dict(
        os.environ,
        **lake_on_s3(s3_endpoint),
        BRONZE_LAKE__PARQUET_DIR=str(target / "parquet"),
        BRONZE_LAKE__REJECTS_DIR=str(target / "rejects"),
    )
    args = [a for a in bronze_args(raw, target) if a not in ("--lake", str(target / "lake"))]
    proc = subprocess.run(
        [sys.executable, "pipelines/bronze_dlt_pipeline.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert not (target / "lake").exists(), "a local Delta lake was written: bucket_url was not used"

    storage = {
        "AWS_ENDPOINT_URL": s3_endpoint,
        "AWS_ALLOW_HTTP": "true",
        "AWS_REGION": REGION,
        "AWS_ACCESS_KEY_ID": KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET,
    }
    with duckdb.connect(str(target / "warehouse.duckdb"), read_only=True) as con:
        for table in TABLES:
            delta = DeltaTable(f"s3://{BUCKET}/bronze/delta/{table}", storage_options=storage)
            con.register("delta_rows", delta.to_pyarrow_table())
            columns = data_columns(con, table)
            in_warehouse = fingerprint(con, f"bronze.{table}", columns)
            in_bucket = fingerprint(con, "delta_rows", columns)
            assert in_warehouse[0] > 0, f"bronze.{table} is empty"
            assert in_bucket == in_warehouse, f"{table}: Delta on S3 {in_bucket} != warehouse {in_warehouse}"
