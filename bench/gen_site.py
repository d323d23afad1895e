#!/usr/bin/env python3
"""Generate the benchmark site: N pages of ~20 KB, ~10 links each, a few third-party embeds.

Deterministic (seeded), so every run crawls the same bytes. Usage: gen_site.py OUTDIR [N]
"""
import os
import random
import sys

out = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
rng = random.Random(42)
os.makedirs(out, exist_ok=True)
words = ("privacy data cookie service analytics consent policy customer product order shipping "
         "contact about team careers blog news press support account login basket checkout").split()
third = [
    # a tag id per page (as sites with per-section containers have): one URL per page on one host
    '<script async src="https://www.googletagmanager.com/gtag/js?id=G-{i}"></script>',
    '<link rel="stylesheet" href="https://fonts.googleapis.com/css2?family=Inter">',
    '<iframe src="https://www.youtube-nocookie.com/embed/bench"></iframe>',
    '<img src="https://www.facebook.com/tr?id=1&ev=PageView" width="1" height="1" alt="">',
    '<script src="https://cdn.jsdelivr.net/npm/bench@1/dist/bench.min.js"></script>',
]


def para():
    return " ".join(rng.choice(words) for _ in range(rng.randint(40, 80)))


for i in range(n):
    links = sorted({rng.randrange(n) for _ in range(10)} | {(i + 1) % n})
    nav = "\n".join(f'<li><a href="/p/{j}.html">Page {j}</a></li>' for j in links)
    embeds = "\n".join(t.replace("{i}", str(i)) for t in rng.sample(third, 2))
    body = []
    size = 0
    while size < 18_000:
        p = f"<p>{para()}</p>"
        body.append(p)
        size += len(p)
    html = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Bench page {i}</title>
<link rel="stylesheet" href="/static/site.css">
{embeds}
<script>window.dataLayer=window.dataLayer||[];function gtag(){{dataLayer.push(arguments)}}gtag('js',new Date());</script>
</head><body><nav><ul>{nav}</ul></nav><main><h1>Page {i}</h1>
{''.join(body)}
</main><footer><a href="/privacy.html">Privacy Policy</a></footer></body></html>
"""
    path = os.path.join(out, "index.html" if i == 0 else f"p/{i}.html")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(html)
# page 0 is also reachable as /p/0.html
os.link(os.path.join(out, "index.html"), os.path.join(out, "p/0.html"))
os.makedirs(os.path.join(out, "static"), exist_ok=True)
with open(os.path.join(out, "static/site.css"), "w") as f:
    f.write("body{font-family:Inter,sans-serif}\n")
with open(os.path.join(out, "privacy.html"), "w") as f:
    f.write("<!doctype html><title>Privacy</title><h1>Privacy Policy</h1>"
            "<p>We use Google Analytics. The provider is Google Ireland Limited.</p>\n")
print(f"generated {n} pages in {out}")
