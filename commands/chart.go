package commands

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"strconv"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// The trend chart's geometry, in pixels. basicfont's 7×13 face is the label font: it ships with
// the module, so the chart needs no font files on the machine.
const (
	chartBarWidth = 56
	chartGap      = 16
	chartHeight   = 240
	chartTop      = 28 // room for the value above the tallest bar
	chartBottom   = 24 // room for the week label under each bar
)

var (
	chartBackground = color.RGBA{0xff, 0xff, 0xff, 0xff}
	chartBar        = color.RGBA{0x1d, 0x4e, 0xd8, 0xff} // the app's colour in the manifest
	chartText       = color.RGBA{0x33, 0x33, 0x33, 0xff}
)

// TrendChart draws the team's counting totals week by week as a PNG bar chart, each bar labelled
// with its week ("W10") and its total, for the leaderboard post. labels and totals are parallel,
// oldest first.
func TrendChart(labels []string, totals []int) (*File, error) {
	if len(labels) == 0 || len(labels) != len(totals) {
		return nil, fmt.Errorf("trend chart: %d labels for %d totals", len(labels), len(totals))
	}
	width := chartGap + len(totals)*(chartBarWidth+chartGap)
	img := image.NewRGBA(image.Rect(0, 0, width, chartHeight))
	draw.Draw(img, img.Bounds(), image.NewUniform(chartBackground), image.Point{}, draw.Src)
	peak := 1
	for _, t := range totals {
		peak = max(peak, t)
	}
	base := chartHeight - chartBottom
	room := base - chartTop
	face := basicfont.Face7x13
	text := func(s string, centre, baseline int) {
		d := font.Drawer{Dst: img, Src: image.NewUniform(chartText), Face: face}
		d.Dot = fixed.P(centre-d.MeasureString(s).Round()/2, baseline)
		d.DrawString(s)
	}
	for i, t := range totals {
		left := chartGap + i*(chartBarWidth+chartGap)
		top := base - max(0, t)*room/peak
		draw.Draw(img, image.Rect(left, top, left+chartBarWidth, base), image.NewUniform(chartBar), image.Point{}, draw.Src)
		centre := left + chartBarWidth/2
		text(strconv.Itoa(t), centre, top-4)
		text(labels[i], centre, chartHeight-8)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("trend chart: %w", err)
	}
	return &File{Name: "leaderboard-trend.png", Title: "Active campaigns, team total by week", Content: buf.Bytes()}, nil
}
