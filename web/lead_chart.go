package web

import (
	"fmt"
	"html/template"
	"math"
	"strings"
)

// The overview's charts: SVG written on the server, inline in the page. No
// script draws them, so they show without JavaScript, print as they are,
// and pass the Content-Security-Policy (no inline style either: colours
// are classes of app.css, sizes are SVG attributes). Each chart has a
// <title> and <desc> (role="img") and is followed on the page by its
// numbers as a table; the bars carry a <title> each, the tooltip of a
// mouse.

// chartSeg is one segment of a bar: its value, its colour class (f-blue,
// f-green, ... in app.css) and what it is (the tooltip).
type chartSeg struct {
	Value int
	Class string
	Title string
}

// chartBar is one bar: its label and its segments, stacked in order.
type chartBar struct {
	Label string
	Segs  []chartSeg
}

func (b chartBar) total() int {
	n := 0
	for _, s := range b.Segs {
		n += s.Value
	}
	return n
}

// niceMax rounds n up to 1, 2 or 5 times a power of ten (at least 1).
func niceMax(n int) int {
	if n <= 1 {
		return 1
	}
	pow := math.Pow(10, math.Floor(math.Log10(float64(n))))
	for _, m := range []float64{1, 2, 5, 10} {
		if v := m * pow; v >= float64(n) {
			return int(v)
		}
	}
	return n
}

// esc escapes text for SVG (XML) content and attribute values.
func esc(s string) string { return template.HTMLEscapeString(s) }

// svgOpen starts an SVG image of w×h (its own units, scaled down by CSS on
// a narrow screen) with its accessible name and description.
func svgOpen(b *strings.Builder, id string, w, h int, title, desc string) {
	fmt.Fprintf(b, `<svg class="chart-svg" id="%s" xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-labelledby="%s-title %s-desc">`,
		esc(id), w, h, w, h, esc(id), esc(id))
	fmt.Fprintf(b, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, esc(id), esc(title), esc(id), esc(desc))
}

// columnChart draws bars as stacked columns side by side (weeks), with a
// scale on the left and a label under every few columns, the last one
// always. A wide chart is for a wide screen (the page shows one of the two
// by CSS): the same columns, twice the room.
func columnChart(p *Printer, id, title, desc string, bars []chartBar, wide bool) template.HTML {
	const (
		left, right, top, bottom = 34, 8, 12, 24
		plotH                    = 170
	)
	target := 320
	if wide {
		target = 720
	}
	n := max(len(bars), 1)
	slot := min(max(target/n, 8), 56)
	plotW := max(target, n*slot)
	w, h := left+plotW+right, top+plotH+bottom
	most := 0
	for _, bar := range bars {
		most = max(most, bar.total())
	}
	top1 := niceMax(most)
	var b strings.Builder
	svgOpen(&b, id, w, h, title, desc)
	// The scale: 0, the middle when whole, the top.
	ticks := []int{0, top1}
	if top1%2 == 0 {
		ticks = []int{0, top1 / 2, top1}
	}
	for _, t := range ticks {
		y := top + plotH - plotH*t/top1
		fmt.Fprintf(&b, `<line class="grid" x1="%d" x2="%d" y1="%d" y2="%d"/>`, left, left+plotW, y, y)
		fmt.Fprintf(&b, `<text class="tick" x="%d" y="%d" text-anchor="end">%s</text>`, left-5, y+4, esc(p.Number(t)))
	}
	every := int(math.Ceil(40 / float64(slot)))
	bw := slot * 7 / 10
	for i, bar := range bars {
		x := left + (plotW-n*slot)/2 + i*slot + (slot-bw)/2
		y := float64(top + plotH)
		for _, s := range bar.Segs {
			if s.Value <= 0 {
				continue
			}
			hgt := float64(plotH) * float64(s.Value) / float64(top1)
			y -= hgt
			fmt.Fprintf(&b, `<rect class="%s" x="%d" y="%.2f" width="%d" height="%.2f"><title>%s</title></rect>`,
				esc(s.Class), x, y, bw, hgt, esc(s.Title))
		}
		if (len(bars)-1-i)%every == 0 {
			fmt.Fprintf(&b, `<text class="label" x="%d" y="%d" text-anchor="middle">%s</text>`, x+bw/2, top+plotH+16, esc(bar.Label))
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// barChart draws one horizontal bar per row (statuses, platforms), its
// label above it and its total after it.
func barChart(p *Printer, id, title, desc string, bars []chartBar) template.HTML {
	const (
		w, rowH, barH, valueW = 340, 40, 16, 44
	)
	h := max(len(bars), 1)*rowH + 4
	most := 0
	for _, bar := range bars {
		most = max(most, bar.total())
	}
	most = max(most, 1)
	var b strings.Builder
	svgOpen(&b, id, w, h, title, desc)
	for i, bar := range bars {
		y := i*rowH + 14
		fmt.Fprintf(&b, `<text class="label" x="0" y="%d">%s</text>`, y, esc(bar.Label))
		x := 0.0
		by := y + 6
		fmt.Fprintf(&b, `<rect class="track" x="0" y="%d" width="%d" height="%d"/>`, by, w-valueW, barH)
		for _, s := range bar.Segs {
			if s.Value <= 0 {
				continue
			}
			bwid := float64(w-valueW) * float64(s.Value) / float64(most)
			fmt.Fprintf(&b, `<rect class="%s" x="%.2f" y="%d" width="%.2f" height="%d"><title>%s</title></rect>`,
				esc(s.Class), x, by, bwid, barH, esc(s.Title))
			x += bwid
		}
		fmt.Fprintf(&b, `<text class="value" x="%d" y="%d" text-anchor="end">%s</text>`, w, by+barH-3, esc(p.Number(bar.total())))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// inlineBar is a small bar for a table cell: share (0..1) of its width
// filled with class; hidden from screen readers (the cell says the number).
func inlineBar(share float64, class string) template.HTML {
	const w, h = 80, 10
	share = min(max(share, 0), 1)
	return template.HTML(fmt.Sprintf(`<svg class="inline-bar" width="%d" height="%d" viewBox="0 0 %d %d" aria-hidden="true" focusable="false">`+
		`<rect class="track" width="%d" height="%d"/><rect class="%s" width="%.2f" height="%d"/></svg>`,
		w, h, w, h, w, h, esc(class), share*w, h))
}
