/**
 * A chart drawn by uPlot (a small canvas chart library): lines over time, or bars over
 * named categories. It takes its container's width and follows it, so a phone gets a
 * chart as wide as the screen and never one that scrolls sideways.
 */
import { html } from 'htm/preact';
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

export type ChartSeries = { label: string; values: number[] };

/** Colours that keep apart on white and for the common colour blindnesses (Okabe-Ito). */
const DAY_LABEL = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  timeZone: 'UTC',
});

const COLOURS = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9', '#000000'];

export function Chart({
  label,
  x,
  series,
  categories,
  utcDays = false,
  height = 220,
}: {
  /** what the chart shows, for a screen reader (the numbers are also in a table or list) */
  label: string;
  /** seconds since the epoch, or with `categories` each category's index */
  x: number[];
  series: ChartSeries[];
  /** bars, one per category, named by these labels */
  categories?: string[];
  /** the x values are UTC days: labelled as such, whatever the editor's zone */
  utcDays?: boolean;
  height?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  const data = JSON.stringify([x, series, categories]);

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const width = () => Math.max(200, Math.floor(element.clientWidth));
    const bars = categories !== undefined;
    const options: uPlot.Options = {
      width: width(),
      height,
      legend: { live: false },
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: bars ? { time: false, range: [-0.5, Math.max(0.5, x.length - 0.5)] } : { time: true },
        y: { range: (_u, _min, max) => [0, Math.max(1, max)] },
      },
      ...(utcDays ? { tzDate: (ts: number) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC') } : {}),
      // Room on the right for the last slanted name.
      ...(bars ? { padding: [8, 28, 0, 0] as uPlot.Padding } : {}),
      axes: [
        bars
          ? {
              splits: () => x,
              values: (_u, splits) => splits.map((v) => categories?.[v] ?? ''),
              // Slanted, so that names never run into each other on a phone.
              rotate: -40,
              size: 100,
              gap: 4,
            }
          : utcDays
            ? {
                // Ticks on whole days only, labelled by date (not 6am, 12pm).
                incrs: [1, 2, 7, 14, 28].map((days) => days * 86_400),
                values: (_u, splits) => splits.map((s) => DAY_LABEL.format(new Date(s * 1000))),
              }
            : {},
        { size: 48 },
      ],
      series: [
        {},
        ...series.map((s, index) => {
          const colour = COLOURS[index % COLOURS.length] ?? '#000000';
          return bars
            ? {
                label: s.label,
                stroke: colour,
                fill: `${colour}cc`,
                width: 0,
                points: { show: false },
                paths: uPlot.paths.bars?.({ size: [0.6, 64] }),
              }
            : { label: s.label, stroke: colour, width: 2, points: { size: 5 } };
        }),
      ],
    };
    const chart = new uPlot(options, [x, ...series.map((s) => s.values)], element);
    const follow = new ResizeObserver(() => chart.setSize({ width: width(), height }));
    follow.observe(element);
    return () => {
      follow.disconnect();
      chart.destroy();
    };
  }, [data, height, utcDays]);

  return html`<div class="chart" role="img" aria-label=${label} ref=${box}></div>`;
}
