"""The site bench/bench_api.py serves with gunicorn: the product's settings and URLs plus one bare view.

The bare view exists only here (``bench.api_site.urls``), never in the product's URL conf.
"""
