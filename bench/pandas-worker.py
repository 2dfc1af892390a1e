# The Python side of bench/engine.ts: what the connector bucketql replaces does, timed.
# Reads one JSON command a line on stdin; answers one JSON line {"ms": ..., "result": ...}.
# Objects are downloaded over HTTP (urllib, a presigned GET from the local store: boto3
# is not installed here), then decoded with pandas. Imports are done before any timing.
import io, json, sys, time, urllib.request
import pandas as pd

def download(url):
    with urllib.request.urlopen(url) as response:
        return response.read()

def frame(rows):
    # The rows bench/engine.ts puts through putObject, as a DataFrame made before timing.
    cities = ["서울", "Busan", "Incheon", "대구", "Daejeon", "Gwangju", "Ulsan", '"Quoted, city"']
    return pd.DataFrame({
        "id": range(rows),
        "name": [f"user_{i}" for i in range(rows)],
        "city": [cities[i % len(cities)] for i in range(rows)],
        "amount": [round((i * 1.37) % 1000, 2) for i in range(rows)],
        "active": [i % 3 == 0 for i in range(rows)],
        "created_at": [f"2024-01-{1 + i % 28:02d} 09:{i % 60:02d}:00" for i in range(rows)],
    })

def upload(url, body):
    request = urllib.request.Request(url, data=body, method="PUT")
    with urllib.request.urlopen(request) as response:
        return response.status

def run(cmd, df=None):
    op = cmd["op"]
    if op == "put_csv":
        # df.to_csv + upload through a presigned PUT, as the connector writes a table.
        return upload(cmd["url"], df.to_csv(index=False).encode("utf-8"))
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
    df = frame(cmd["rows"]) if cmd["op"] == "put_csv" else None
    start = time.perf_counter()
    result = run(cmd, df)
    print(json.dumps({"ms": (time.perf_counter() - start) * 1000, "result": result}), flush=True)
