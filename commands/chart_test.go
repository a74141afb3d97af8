package commands_test

import (
	"bytes"
	"image/color"
	"image/png"
	"testing"

	"campaignbot/commands"
)

// TestTrendChart decodes the PNG and measures its bars: each is as tall as its total allows,
// relative to the tallest, so the picture says what the numbers say.
func TestTrendChart(t *testing.T) {
	f, err := commands.TrendChart([]string{"W08", "W09", "W10"}, []int{100, 0, 200})
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(f.Content))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	bar := color.RGBAModel.Convert(color.RGBA{0x1d, 0x4e, 0xd8, 0xff})
	height := func(i int) int { // blue pixels in the middle column of bar i
		x := 16 + i*(56+16) + 28
		n := 0
		for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
			if color.RGBAModel.Convert(img.At(x, y)) == bar {
				n++
			}
		}
		return n
	}
	if w := img.Bounds().Dx(); w != 16+3*(56+16) {
		t.Errorf("width = %d", w)
	}
	tall, none, half := height(2), height(1), height(0)
	if tall == 0 || none != 0 || half*2 != tall {
		t.Errorf("bar heights = %d, %d, %d; want h, 0, 2h", half, none, tall)
	}
	if f.Name != "leaderboard-trend.png" {
		t.Errorf("name = %q", f.Name)
	}
}

func TestTrendChartRefusesMismatch(t *testing.T) {
	if _, err := commands.TrendChart([]string{"W01"}, nil); err == nil {
		t.Error("mismatched labels and totals must fail")
	}
	if _, err := commands.TrendChart(nil, nil); err == nil {
		t.Error("an empty chart must fail")
	}
}
