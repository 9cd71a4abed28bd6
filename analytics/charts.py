"""Altair (Vega-Lite) charts of the report: rendered by Streamlit's bundled Vega, offline.
Tooltips carry every figure of a mark, formatted (the "rich tooltips")."""

from __future__ import annotations

import altair as alt
import pandas as pd

# Served by the app (server.enableStaticServing): the browser loads it from the same server.
WORLD_URL = "app/static/countries-110m.json"
AUD = ",.0f"
HEIGHT = 300
# Pixels per bar of a horizontal bar chart: room for one line of label text.
BAR_STEP = 26


def tip(field: str, title: str, fmt: str | None = None, kind: str = "quantitative") -> alt.Tooltip:
    return (
        alt.Tooltip(f"{field}:{kind[0].upper()}", title=title, format=fmt)
        if fmt
        else alt.Tooltip(f"{field}:{kind[0].upper()}", title=title)
    )


def bar(
    df: pd.DataFrame,
    x: str,
    y: str,
    tooltips: list,
    *,
    horizontal: bool = True,
    color: str | None = None,
    sort: str = "-x",
    selectable: str | None = None,
    height: int = HEIGHT,
) -> alt.Chart:
    """A bar chart; `selectable` names the field a click selects (for drill-through). Every bar
    keeps its label: no overlap thinning (Vega's default drops every other label when bands are
    narrow), and a horizontal chart grows with its bars."""
    labels = alt.Axis(labelLimit=220, labelOverlap=False)
    if horizontal:
        encode = {"y": alt.Y(f"{y}:N", sort=sort, title=None, axis=labels), "x": alt.X(f"{x}:Q", title=None)}
        height = max(height, BAR_STEP * df[y].nunique() + 80)
    else:
        encode = {"x": alt.X(f"{x}:N", sort=sort, title=None, axis=labels), "y": alt.Y(f"{y}:Q", title=None)}
    chart = alt.Chart(df).mark_bar().encode(**encode, tooltip=tooltips)
    if color:
        chart = chart.encode(color=alt.Color(f"{color}:N", legend=alt.Legend(orient="bottom", title=None)))
    if selectable:
        pick = alt.selection_point(name="pick", fields=[selectable], on="click")
        chart = chart.add_params(pick).encode(opacity=alt.condition(pick, alt.value(1.0), alt.value(0.55)))
    return chart.properties(height=height)


def line(df: pd.DataFrame, x: str, ys: dict[str, str], tooltips: list, height: int = HEIGHT) -> alt.Chart:
    """Several measures over time (long format built here); `ys` maps column -> legend label."""
    long = df.melt(id_vars=[x], value_vars=list(ys), var_name="measure", value_name="value")
    long["measure"] = long["measure"].map(ys)
    base = alt.Chart(long).encode(
        x=alt.X(f"{x}:T", title=None),
        y=alt.Y("value:Q", title=None),
        color=alt.Color("measure:N", legend=alt.Legend(orient="bottom", title=None)),
    )
    points = (
        alt.Chart(df)
        .mark_rule(opacity=0)
        .encode(x=f"{x}:T", tooltip=tooltips)
        .add_params(alt.selection_point(on="pointerover", nearest=True, fields=[x], empty=False))
    )
    return alt.layer(base.mark_line(), points).properties(height=height)


def heatmap(df: pd.DataFrame, x: str, y: str, value: str, tooltips: list, scheme: str = "blues") -> alt.Chart:
    return (
        alt.Chart(df)
        .mark_rect()
        .encode(
            x=alt.X(f"{x}:O", title=None),
            y=alt.Y(f"{y}:N", title=None),
            color=alt.Color(f"{value}:Q", scale=alt.Scale(scheme=scheme), legend=alt.Legend(orient="bottom")),
            tooltip=tooltips,
        )
        .properties(height=max(160, 22 * df[y].nunique()))
    )


def donut(df: pd.DataFrame, theta: str, color: str, tooltips: list) -> alt.Chart:
    return (
        alt.Chart(df)
        .mark_arc(innerRadius=55)
        .encode(
            theta=alt.Theta(f"{theta}:Q"),
            color=alt.Color(f"{color}:N", legend=alt.Legend(orient="bottom", title=None, columns=2)),
            tooltip=tooltips,
        )
        .properties(height=HEIGHT)
    )


def store_map(points: pd.DataFrame, size: str, color: str, tooltips: list) -> alt.Chart:
    """Stores as circles (area ~ `size`) over Natural Earth country outlines shipped with the
    app (no tiles, no network). The projection fits the points' extent to the chart's width."""
    lon_min, lon_max = points["longitude"].min(), points["longitude"].max()
    lat_min, lat_max = points["latitude"].min(), points["latitude"].max()
    pad = 4.0
    extent = {
        "type": "Feature",
        "properties": {},
        "geometry": {
            "type": "MultiPoint",
            "coordinates": [[float(lon_min) - pad, float(lat_min) - pad], [float(lon_max) + pad, float(lat_max) + pad]],
        },
    }
    countries = alt.topo_feature(WORLD_URL, "countries")
    land = alt.Chart(countries).mark_geoshape(fill="#eef1f4", stroke="#b9c2cc", strokeWidth=0.5)
    stores = (
        alt.Chart(points)
        .mark_circle(opacity=0.75, stroke="white", strokeWidth=0.6)
        .encode(
            longitude="longitude:Q",
            latitude="latitude:Q",
            size=alt.Size(f"{size}:Q", scale=alt.Scale(range=[20, 900]), legend=None),
            color=alt.Color(f"{color}:N", legend=alt.Legend(orient="bottom", title=None)),
            tooltip=tooltips,
        )
    )
    return alt.layer(land, stores).project(type="equirectangular", fit=extent).properties(height=360)
