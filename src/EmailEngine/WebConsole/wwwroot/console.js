// Console behaviour kept out of the pages (the content security policy allows no inline script).
"use strict";

// The warmup chart: plan and sent per sending day, the engine's decisions as points with their reason.
function drawWarmupChart(canvas) {
  const data = JSON.parse(canvas.dataset.chart || "{}");
  if (!data.labels || typeof Chart === "undefined") return;
  const byDay = new Map();
  for (const d of data.decisions) byDay.set(d.day, (byDay.get(d.day) || []).concat(d));
  canvas.chart = new Chart(canvas, {
    data: {
      labels: data.labels,
      datasets: [
        { type: "line", label: canvas.dataset.labelPlan, data: data.plan, borderColor: "#6b7280", borderDash: [4, 4], pointRadius: 0, spanGaps: true },
        { type: "bar", label: canvas.dataset.labelSent, data: data.sent, backgroundColor: "#2563eb" },
        {
          type: "scatter", label: canvas.dataset.labelDecisions, backgroundColor: "#dc2626", pointRadius: 6,
          data: data.decisions.map(d => ({ x: data.labels.indexOf(d.day), y: data.plan[d.day - 1] ?? 0, decision: d })),
        },
      ],
    },
    options: {
      animation: false, responsive: true, maintainAspectRatio: false,
      scales: { y: { beginAtZero: true } },
      plugins: {
        tooltip: {
          callbacks: {
            afterBody: items => items.flatMap(i => (byDay.get(data.labels[i.dataIndex]) || []).map(d => `${d.kind}: ${d.reason}`)),
          },
        },
      },
    },
  });
  canvas.dataset.drawn = "true";
}

// A form's checkbox "I confirm" is required by the browser; the server checks it again.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("canvas[data-chart]").forEach(drawWarmupChart);
});
