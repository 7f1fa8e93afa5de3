#!/usr/bin/env python3
"""Uploads heart-rate samples to pulsebase from a Raspberry Pi (or any machine with Python 3).

Reads one sample per line from standard input, "<ISO 8601 time with zone> <bpm>" or just "<bpm>"
(then the time is now), and posts them in batches of up to 1,000 to POST /v1/heart-rate/samples
with the device key. A batch that fails to arrive is retried with the same samples: pulsebase
stores each (device, timestamp) once, so a retry never duplicates. Only the standard library.

  PULSEBASE_URL=http://pulsebase.local:8080 PULSEBASE_DEVICE_KEY=pbd_... \\
    python3 upload_heart_rate.py < samples.txt

Prints one line per batch: "stored S, already stored A, rejected R".
"""
import datetime
import json
import os
import sys
import time
import urllib.error
import urllib.request

BATCH = 1000
RETRIES = 5


def now_iso():
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse(line):
    parts = line.split()
    if len(parts) == 1:
        return {"timestamp": now_iso(), "bpm": float(parts[0])}
    return {"timestamp": parts[0], "bpm": float(parts[1])}


def post(url, key, samples):
    body = json.dumps({"samples": samples}).encode()
    request = urllib.request.Request(
        f"{url}/v1/heart-rate/samples",
        data=body,
        method="POST",
        headers={"content-type": "application/json", "authorization": f"Bearer {key}"},
    )
    for attempt in range(RETRIES):
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.load(response)
        except urllib.error.HTTPError as error:
            if error.code < 500 and error.code != 429:
                # A 4xx other than 429 will not succeed on retry: show pulsebase's message.
                raise SystemExit(f"refused ({error.code}): {error.read().decode()}")
        except (urllib.error.URLError, TimeoutError):
            pass
        time.sleep(min(2 ** attempt, 30))
    raise SystemExit("pulsebase did not answer; the batch was not stored")


def main():
    url = os.environ.get("PULSEBASE_URL", "http://localhost:8080").rstrip("/")
    key = os.environ.get("PULSEBASE_DEVICE_KEY")
    if not key:
        raise SystemExit("set PULSEBASE_DEVICE_KEY to the device's key (pbd_...)")
    batch = []
    for line in sys.stdin:
        if line.strip():
            batch.append(parse(line))
        if len(batch) == BATCH:
            report(post(url, key, batch))
            batch = []
    if batch:
        report(post(url, key, batch))


def report(result):
    already = sum(1 for v in result["verdicts"] if v.get("alreadyStored"))
    print(f"stored {result['stored'] - already}, already stored {already}, rejected {result['rejected']}", flush=True)


if __name__ == "__main__":
    main()
