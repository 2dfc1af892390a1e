# The Python side of bench/engine.ts: what the connector bucketql replaces does, timed.
# Reads one JSON command a line on stdin; answers one JSON line {"ms": ..., "result": ...}.
# Objects are downloaded over HTTP (urllib, a presigned GET from the local store: boto3
# is not installed here), then decoded with pandas. Imports are done before any timing.
import io, json, sys, time, urllib.request
import pandas as pd

def download(url):
    with urllib.request.urlopen(url) as response:
        return response.read()

def run(cmd):
    op = cmd["op"]
    body = download(cmd["url"])
    if op == "read_csv":
        df = pd.read_csv(io.BytesIO(body))
        return len(df)
    if op == "count_csv":
        df = pd.read_csv(io.BytesIO(body))
        return int(((df["city"] == cmd["city"]) & (df["amount"] >= cmd["min"])).sum())
    if op == "count_json":
        df = pd.DataFrame(json.loads(body))
        return int(((df["city"] == cmd["city"]) & (df["amount"] >= cmd["min"])).sum())
    if op == "read_excel":
        df = pd.read_excel(io.BytesIO(body), engine="openpyxl")
        return len(df)
    raise ValueError(op)

for line in sys.stdin:
    cmd = json.loads(line)
    start = time.perf_counter()
    result = run(cmd)
    print(json.dumps({"ms": (time.perf_counter() - start) * 1000, "result": result}), flush=True)
