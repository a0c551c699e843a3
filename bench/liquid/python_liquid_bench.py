"""Renders the benchmark template with python-liquid and prints microseconds per render."""
import json, sys, time
from liquid import Environment, CachingFileSystemLoader

template_path, includes, data_path, iterations = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
env = Environment(loader=CachingFileSystemLoader(includes, ext=".liquid"))
template = env.from_string(open(template_path, encoding="utf-8").read())
data = json.load(open(data_path, encoding="utf-8"))
size = len(template.render(**data))
start = time.perf_counter()
for _ in range(iterations):
    size += len(template.render(**data))
elapsed = time.perf_counter() - start
print(f"{elapsed / iterations * 1e6:.2f}", size)
