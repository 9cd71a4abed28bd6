"""Data quality: pipeline health, rejection rates by table over time, freshness, schema drift,
the missing-data heatmap, processing times and injected vs detected anomalies. Pipeline data
covers every store, so the page is for the executive and data engineer personas only."""

from datetime import UTC, datetime

import altair as alt
import streamlit as st

from analytics import charts, measures, ui
from analytics.gold import AccessDenied

ctx = ui.context()
gold = ctx.gold
ui.page_header("Data quality", ctx)
st.caption("Pipeline measures cover every bronze load and are not filtered by the business slicers.")
try:
    gold.require_everything("The data-quality page")
except AccessDenied as exc:
    ui.denied(exc)
    st.stop()

now = datetime.now(UTC)
anomalies = gold.frame("SELECT * FROM vw_data_quality_anomalies ORDER BY source_table, anomaly_class")
latest = gold.frame("SELECT * FROM vw_data_quality_dashboard WHERE is_latest_load ORDER BY source_table")
injected, detected_true = anomalies["injected"].sum(), anomalies["true_positives"].sum()
statuses = latest["quality_status"].value_counts().to_dict()
worst = next((s for s in ("ALERT", "WARNING", "OK") if statuses.get(s)), "n/a")
ui.kpis(
    [
        (
            "Pipeline status",
            worst,
            f"{statuses.get('ALERT', 0)} alert · {statuses.get('WARNING', 0)} warning",
            "Worst quality_status of the latest load of each source table (vw_data_quality_dashboard).",
        ),
        ("Rejection rate", ui.pct(measures.rejection_rate(gold), 3), None, measures.rejection_rate.__doc__),
        ("Freshness", ui.number(measures.freshness_hours(gold, now), 1) + " h", None, measures.freshness_hours.__doc__),
        ("Completeness score", ui.pct(measures.completeness_score(gold), 2), None, measures.completeness_score.__doc__),
        (
            "Anomalies detected",
            ui.pct(detected_true / injected if injected else None, 1),
            f"{int(detected_true):,} of {int(injected):,} injected",
            "Σ true_positives / Σ injected over every anomaly class (vw_data_quality_anomalies).",
        ),
    ]
)

st.subheader("Pipeline health")
builds = gold.frame("SELECT * FROM build_history ORDER BY published_at DESC") if gold.has("build_history") else None
left, right = st.columns([3, 2])
with left:
    latest["hours_since_load"] = latest["loaded_at"].apply(lambda t: (now - t.to_pydatetime()).total_seconds() / 3600)
    st.dataframe(
        latest[
            [
                "source_table",
                "quality_status",
                "loaded_at",
                "hours_since_load",
                "files",
                "rows_processed",
                "rows_rejected",
                "rejection_rate",
                "files_failed",
                "files_in_conflict",
            ]
        ],
        hide_index=True,
        width="stretch",
        column_config={
            "loaded_at": st.column_config.DatetimeColumn("loaded (UTC)", format="YYYY-MM-DD HH:mm"),
            "hours_since_load": st.column_config.NumberColumn("freshness (h)", format="%.1f"),
            "rejection_rate": st.column_config.NumberColumn("rejected", format="percent"),
        },
    )
    st.caption("Latest bronze load per source table. Freshness: hours since that load (warn 12 h, error 24 h).")
with right:
    if builds is not None and not builds.empty:
        last = builds.iloc[0]
        st.metric(
            "Last Gold build: dbt nodes",
            f"{int(last['dbt_nodes']):,}",
            f"{int(last['dbt_failures'])} failed · {int(last['dbt_warnings'])} warned",
            delta_color="off",
            border=True,
        )
        st.dataframe(
            builds[["published_at", "dbt_nodes", "dbt_failures", "silver_seconds", "gold_seconds"]].head(10),
            hide_index=True,
            width="stretch",
            column_config={
                "published_at": st.column_config.DatetimeColumn("published (UTC)", format="YYYY-MM-DD HH:mm")
            },
        )

st.subheader("Rejection rates by table over time")
by_month = gold.frame(
    """SELECT table_name, strptime(regexp_extract(file_path, $month_pattern, 1), '%Y-%m') AS month,
              sum(rows_rejected) / nullif(sum(rows_processed), 0) AS rejection_rate,
              sum(rows_rejected) AS rows_rejected, sum(rows_processed) AS rows_processed
       FROM fct_ingestion_audit WHERE regexp_matches(file_path, $month_pattern)
       GROUP BY ALL ORDER BY month""",
    {"month_pattern": r"((?:19|20)\d{2}-(?:0[1-9]|1[0-2]))"},
)
by_load = gold.frame(
    "SELECT source_table, loaded_at, rejection_rate, rows_rejected, rows_processed "
    "FROM vw_data_quality_dashboard ORDER BY loaded_at"
)
left, right = st.columns(2)
with left:
    st.markdown("**By month of the data** (raw partition date of each file)")
    st.altair_chart(
        alt.Chart(by_month)
        .mark_line(point=True)
        .encode(
            x=alt.X("yearmonth(month):T", title=None),
            y=alt.Y("rejection_rate:Q", title="Rows rejected", axis=alt.Axis(format="%")),
            color=alt.Color("table_name:N", legend=alt.Legend(orient="bottom", title=None)),
            tooltip=[
                alt.Tooltip("table_name:N", title="Table"),
                alt.Tooltip("yearmonth(month):T", title="Month"),
                alt.Tooltip("rejection_rate:Q", title="Rejection rate", format=".3%"),
                alt.Tooltip("rows_rejected:Q", title="Rejected", format=","),
                alt.Tooltip("rows_processed:Q", title="Processed", format=","),
            ],
        )
        .properties(height=260),
        width="stretch",
    )
with right:
    st.markdown("**By bronze load**")
    st.altair_chart(
        alt.Chart(by_load)
        .mark_circle(size=80)
        .encode(
            x=alt.X("loaded_at:T", title=None),
            y=alt.Y("rejection_rate:Q", title="Rows rejected", axis=alt.Axis(format="%")),
            color=alt.Color("source_table:N", legend=alt.Legend(orient="bottom", title=None)),
            tooltip=[
                alt.Tooltip("source_table:N", title="Table"),
                alt.Tooltip("loaded_at:T", title="Loaded"),
                alt.Tooltip("rejection_rate:Q", title="Rejection rate", format=".3%"),
                alt.Tooltip("rows_rejected:Q", title="Rejected", format=","),
                alt.Tooltip("rows_processed:Q", title="Processed", format=","),
            ],
        )
        .properties(height=260),
        width="stretch",
    )

st.subheader("Injected vs detected anomalies")
anomalies["label"] = anomalies["source_table"] + " · " + anomalies["anomaly_class"]
compared = anomalies.melt(
    id_vars=["label"],
    value_vars=["injected", "true_positives", "false_positives"],
    var_name="count_of",
    value_name="rows",
)
left, right = st.columns([3, 2])
with left:
    st.altair_chart(
        alt.Chart(compared)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", title=None),
            yOffset="count_of:N",
            x=alt.X("rows:Q", title="Rows", scale=alt.Scale(type="symlog")),
            color=alt.Color("count_of:N", legend=alt.Legend(orient="bottom", title=None)),
            tooltip=[
                alt.Tooltip("label:N", title="Anomaly"),
                alt.Tooltip("count_of:N", title="Count"),
                alt.Tooltip("rows:Q", title="Rows", format=","),
            ],
        )
        .properties(height=max(200, 30 * len(anomalies))),
        width="stretch",
    )
with right:
    st.dataframe(
        anomalies[
            [
                "source_table",
                "anomaly_class",
                "injected",
                "detected",
                "missed",
                "false_positives",
                "recall",
                "detection_status",
            ]
        ],
        hide_index=True,
        width="stretch",
        column_config={"recall": st.column_config.NumberColumn(format="percent")},
    )

st.subheader("Missing-data heatmap")
if gold.has("vw_data_completeness"):
    completeness = gold.frame("SELECT *, 1 - completeness AS missing FROM vw_data_completeness")
    st.altair_chart(
        alt.Chart(completeness)
        .mark_rect()
        .encode(
            x=alt.X("column_name:N", title=None, sort=None),
            y=alt.Y("source_table:N", title=None),
            color=alt.Color(
                "missing:Q",
                title="Missing",
                scale=alt.Scale(scheme="orangered", domainMin=0),
                legend=alt.Legend(orient="bottom", format="%"),
            ),
            tooltip=[
                alt.Tooltip("source_table:N", title="Table"),
                alt.Tooltip("column_name:N", title="Column"),
                alt.Tooltip("completeness:Q", title="Complete", format=".3%"),
                alt.Tooltip("non_null_values:Q", title="Values", format=","),
                alt.Tooltip("total_rows:Q", title="Rows", format=","),
            ],
        )
        .properties(height=300),
        width="stretch",
    )
    st.caption("Required source columns in Silver; darker = more rows without a value.")
else:
    st.info("This Gold build has no vw_data_completeness: run `make transform` to publish a newer build.")

st.subheader("Schema drift")
if gold.has("vw_schema_drift"):
    drift = gold.frame("SELECT * FROM vw_schema_drift ORDER BY schema_version DESC, table_name, column_name")
    if drift.empty:
        st.success("No schema change since the first bronze load.")
    else:
        summary = drift.groupby(["schema_version", "changed_at", "table_name", "change_type"], as_index=False).agg(
            columns=("column_name", lambda c: ", ".join(c))
        )
        st.dataframe(
            summary,
            hide_index=True,
            width="stretch",
            column_config={"changed_at": st.column_config.DatetimeColumn("changed (UTC)", format="YYYY-MM-DD HH:mm")},
        )
        st.caption("Changes between versions of the bronze dlt schema (vw_schema_drift).")
else:
    st.info("This Gold build has no vw_schema_drift: run `make transform` to publish a newer build.")

st.subheader("Processing times")
left, right = st.columns(2)
with left:
    st.markdown("**Bronze, per table and load** (seconds from first file start to last file end)")
    times = gold.frame("SELECT source_table, loaded_at, processing_seconds, megabytes FROM vw_data_quality_dashboard")
    st.altair_chart(
        charts.bar(
            times.groupby("source_table", as_index=False)[["processing_seconds", "megabytes"]].max(),
            "processing_seconds",
            "source_table",
            [
                charts.tip("source_table", "Table", kind="nominal"),
                charts.tip("processing_seconds", "Seconds (longest load)", ",.1f"),
                charts.tip("megabytes", "MiB", ",.1f"),
            ],
            height=260,
        ),
        width="stretch",
    )
with right:
    st.markdown("**Silver and Gold, slowest dbt nodes of the last build**")
    if gold.has("dbt_nodes"):
        nodes = gold.frame(
            "SELECT node, layer, resource_type, status, seconds FROM dbt_nodes ORDER BY seconds DESC LIMIT 15"
        )
        st.altair_chart(
            charts.bar(
                nodes,
                "seconds",
                "node",
                [
                    charts.tip("node", "Node", kind="nominal"),
                    charts.tip("layer", "Layer", kind="nominal"),
                    charts.tip("resource_type", "Type", kind="nominal"),
                    charts.tip("status", "Status", kind="nominal"),
                    charts.tip("seconds", "Seconds", ",.2f"),
                ],
                color="layer",
                height=260,
            ),
            width="stretch",
        )
