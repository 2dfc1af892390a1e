#!/usr/bin/python3
"""Writes the demo bucket's files with the tools data people use (pandas, openpyxl).

Run with Debian's python3 (python3-pandas, python3-openpyxl):
    /usr/bin/python3 examples/demo-data/make_demo_data.py
The files are committed, so bucketql itself needs no Python.
"""
import datetime as dt
import gzip
import json
import os
import pickle

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20240115)

cities = ["서울", "부산", "Incheon", "대구", "Daejeon", "광주"]
products = ["노트북", "Monitor", "키보드", "Mouse", "헤드폰", "Webcam"]
n = 200
sales = pd.DataFrame(
    {
        "order_id": range(1, n + 1),
        "sold_at": [dt.datetime(2024, 1, 1, 9, 0) + dt.timedelta(hours=int(h)) for h in rng.integers(0, 24 * 90, n)],
        "city": [cities[i] for i in rng.integers(0, len(cities), n)],
        "product": [products[i] for i in rng.integers(0, len(products), n)],
        "quantity": rng.integers(1, 10, n),
        "unit_price": np.round(rng.uniform(9.99, 1999.99, n), 2),
        "paid": rng.random(n) > 0.2,
        "zip_code": [f"{z:05d}" for z in rng.integers(1000, 99999, n)],
    }
)
sales = sales.sort_values("sold_at").reset_index(drop=True)
sales["order_id"] = range(1, n + 1)

# A CSV in UTF-8 with Korean text, as pandas writes it.
sales.to_csv(os.path.join(HERE, "sales.csv"), index=False, date_format="%Y-%m-%d %H:%M:%S")
# The same as CP949, as Korean Excel saves CSV.
sales.to_csv(os.path.join(HERE, "sales-cp949.csv"), index=False, encoding="cp949", date_format="%Y-%m-%d %H:%M:%S")
# gzip-compressed CSV.
with gzip.open(os.path.join(HERE, "sales.csv.gz"), "wt", encoding="utf-8", newline="") as f:
    sales.to_csv(f, index=False, date_format="%Y-%m-%d %H:%M:%S")

# A workbook with two sheets: the orders, and a summary per city.
summary = (
    sales.assign(revenue=sales.quantity * sales.unit_price)
    .groupby("city", as_index=False)
    .agg(orders=("order_id", "count"), revenue=("revenue", "sum"), first_sale=("sold_at", "min"))
)
summary["revenue"] = summary["revenue"].round(2)
with pd.ExcelWriter(os.path.join(HERE, "report.xlsx"), engine="openpyxl") as writer:
    sales.to_excel(writer, sheet_name="Orders", index=False)
    summary.to_excel(writer, sheet_name="요약", index=False)

# JSON: an array of objects (a table), and NDJSON events.
people = [
    {"id": 1, "name": "김민준", "email": "minjun@example.com", "joined": "2023-03-01", "tags": ["admin"], "score": 91.5},
    {"id": 2, "name": "Alice Park", "email": "alice@example.com", "joined": "2023-05-17", "tags": [], "score": 78.0},
    {"id": 3, "name": "이서연", "email": None, "joined": "2024-01-02", "tags": ["beta", "ko"], "score": None},
    {"id": 4, "name": "Bob Lee", "email": "bob@example.com", "joined": "2024-02-29", "tags": ["beta"], "score": 66.25},
]
with open(os.path.join(HERE, "people.json"), "w", encoding="utf-8") as f:
    json.dump(people, f, ensure_ascii=False, indent=2)

events = []
start = dt.datetime(2024, 3, 1, tzinfo=dt.timezone.utc)
for i in range(50):
    events.append(
        {
            "ts": (start + dt.timedelta(minutes=7 * i)).isoformat().replace("+00:00", "Z"),
            "user": ["minjun", "alice", "seoyeon", "bob"][i % 4],
            "event": ["login", "view", "purchase", "logout"][i % 4],
            "amount": round(float(rng.uniform(5, 500)), 2) if i % 4 == 2 else None,
        }
    )
with open(os.path.join(HERE, "events.ndjson"), "w", encoding="utf-8") as f:
    for e in events:
        f.write(json.dumps(e, ensure_ascii=False) + "\n")

# Monthly figures per branch with Korean column names (a dataset in the demo config).
branches = ["강남점", "홍대점", "부산서면점", "대구동성로점", "광주충장점"]
monthly = []
for b, branch in enumerate(branches):
    for month in range(1, 13):
        visitors = int(rng.integers(800, 5000))
        monthly.append(
            {
                "지점": branch,
                "월": dt.date(2024, month, 1).isoformat(),
                "매출액": int(visitors * rng.uniform(20_000, 60_000)),
                "방문객 수": visitors,
                "신규 고객 비율": round(float(rng.uniform(0.05, 0.4)), 3),
            }
        )
pd.DataFrame(monthly).to_csv(os.path.join(HERE, "branch-sales.csv"), index=False)

# Event logs split by day under a prefix (a prefix dataset in the demo config).
os.makedirs(os.path.join(HERE, "logs"), exist_ok=True)
for day in (1, 2, 3):
    with open(os.path.join(HERE, "logs", f"2024-03-0{day}.ndjson"), "w", encoding="utf-8") as f:
        for i, e in enumerate(events):
            if i % 3 == day - 1:
                f.write(json.dumps(e, ensure_ascii=False) + "\n")

# A DataFrame pickled by pandas, the way notebooks save them.
frame = sales.head(50).copy()
frame["city"] = frame["city"].astype("category")
frame.to_pickle(os.path.join(HERE, "orders.pkl"))

# Plain text in Korean.
with open(os.path.join(HERE, "README.txt"), "w", encoding="utf-8") as f:
    f.write(
        "bucketql 데모 버킷입니다.\n"
        "This is the demo bucket of bucketql.\n\n"
        "- sales.csv: 주문 200건 (UTF-8)\n"
        "- sales-cp949.csv: 같은 데이터, CP949 인코딩\n"
        "- sales.csv.gz: 같은 데이터, gzip 압축\n"
        "- report.xlsx: 시트 두 개 (Orders, 요약)\n"
        "- branch-sales.csv: 지점별 월 매출 (한글 열 이름)\n"
        "- logs/: 날짜별 이벤트 로그 (NDJSON)\n"
        "- people.json, events.ndjson, orders.pkl\n"
    )
print("wrote demo data to", HERE)
