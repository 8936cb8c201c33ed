/**
 * One chart drawn by uPlot (a canvas): made once, given new data as it arrives, resized with its box,
 * destroyed when it leaves the page. Its figure says how many points it shows (`data-points`), so a
 * test — or a screen reader's user, through the caption — can tell an empty chart from a drawn one.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { ChartData, View } from '../../lib/dashboard-series.ts';

export interface ChartSeries {
  label: string;
  color: string;
  kind: 'line' | 'step' | 'bars' | 'points';
}

function seriesOptions(series: ChartSeries): uPlot.Series {
  const base: uPlot.Series = { label: series.label, stroke: series.color, width: 2 };
  switch (series.kind) {
    case 'step':
      return { ...base, paths: uPlot.paths.stepped?.({ align: 1 }) };
    case 'bars':
      return { ...base, paths: uPlot.paths.bars?.({ size: [0.7, 40] }), fill: series.color };
    case 'points':
      return { ...base, paths: () => null, points: { show: true, size: 8, fill: series.color } };
    default:
      return base;
  }
}

export function UPlotChart(props: {
  title: string;
  testId: string;
  data: ChartData;
  /** Every chart spans the same time, so they line up. */
  view: View;
  series: ChartSeries[];
  yLabel: string;
  height?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  // Read by the x scale at each redraw: the view moves on with every refresh.
  const viewRef = useRef(props.view);
  viewRef.current = props.view;
  const { series, yLabel, height = 220 } = props;

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const chart = new uPlot(
      {
        width: Math.max(320, element.clientWidth),
        height,
        series: [{}, ...series.map(seriesOptions)],
        axes: [{}, { label: yLabel }],
        scales: {
          x: { time: true, range: () => [viewRef.current.from / 1000, viewRef.current.to / 1000] },
          // From 0, with room above the highest point so it is not cut by the frame.
          y: { range: (_u, _min, max) => [0, Math.max(1, Math.ceil(max * 1.15))] },
        },
        legend: { live: false },
        cursor: { drag: { x: false, y: false } },
      },
      [[]],
      element,
    );
    plot.current = chart;
    const resize = new ResizeObserver(() =>
      chart.setSize({ width: Math.max(320, element.clientWidth), height }),
    );
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
  }, [series, yLabel, height]);

  useEffect(() => {
    plot.current?.setData(props.data as uPlot.AlignedData);
  }, [props.data]);

  const points = props.data.slice(1).reduce((n, ys) => n + ys.filter((y) => y !== null && y !== 0).length, 0);
  return (
    <figure className="chart" data-testid={props.testId} data-points={points}>
      <figcaption>{props.title}</figcaption>
      <div ref={box} />
    </figure>
  );
}
