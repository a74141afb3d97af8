package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRunParse(t *testing.T) {
	base := []string{"--now", "2026-03-04T09:30:00-05:00", "--tz", "America/New_York"}
	tests := []struct {
		name    string
		args    []string
		stdin   string
		want    []string // one JSON object per line
		wantErr string
	}{
		{
			name: "text argument",
			args: append(base, "--known-companies", "Acme,Globex", "follow", "up", "Jane Smith", "at", "Acme", "next", "Tuesday"),
			want: []string{`{"ok":true,"person":"Jane Smith","company":"Acme","due":"2026-03-10T09:00:00-04:00","alternatives":[],"time_given":false,"temperature":null,"channel":null,"note":null}`},
		},
		{
			name:  "stdin lines, an empty line included",
			args:  append(base, "--known-companies", "Acme, Globex"),
			stdin: "call Raj at Globex tomorrow 3pm hot\n\nfollow up Acme tomorrow\r\nping Jane at Initech next Friday re pricing",
			want: []string{
				`{"ok":true,"person":"Raj","company":"Globex","due":"2026-03-05T15:00:00-05:00","alternatives":[],"time_given":true,"temperature":"hot","channel":"call","note":null}`,
				`{"ok":false,"code":"empty","error":"I need a name and a date — try \"follow up Jane Smith at Acme next Tuesday\"."}`,
				`{"ok":false,"code":"company_as_person","error":"\"Acme\" is a company — name the person there, like \"Jane Smith at Acme\"."}`,
				`{"ok":true,"person":"Jane","company":"Initech","due":"2026-03-13T09:00:00-04:00","alternatives":["2026-03-06T09:00:00-05:00"],"time_given":false,"temperature":null,"channel":null,"note":"pricing"}`,
			},
		},
		{
			name:  "past date and markup are escaped",
			args:  base,
			stdin: "follow up Jane at Initech last Friday\nfollow up <script> tomorrow\n",
			want: []string{
				`{"ok":false,"code":"past_date","error":"That date is in the past — try \"next Friday\" or \"3/20\"."}`,
				`{"ok":false,"code":"bad_person","error":"\"&lt;script&gt;\" doesn't look like a person's name — use letters only, like \"Anne-Marie O'Neil\"."}`,
			},
		},
		{
			name:  "a long line gets its answer",
			args:  base,
			stdin: strings.Repeat("x", 100000) + "\nfollow up Jane tomorrow\n",
			want: []string{
				`{"ok":false,"code":"too_long","error":"That message is over 1000 characters — send just the name, company and date, like \"call Raj at Globex tomorrow 3pm\"."}`,
				`{"ok":true,"person":"Jane","company":null,"due":"2026-03-05T09:00:00-05:00","alternatives":[],"time_given":false,"temperature":null,"channel":null,"note":null}`,
			},
		},
		{name: "no input, no output", args: base, stdin: ""},
		{name: "bad zone", args: []string{"--tz", "Mars/Base", "x"}, wantErr: `--tz "Mars/Base"`},
		{name: "bad clock", args: []string{"--now", "tomorrow", "x"}, wantErr: `--now "tomorrow"`},
		{name: "unknown flag", args: []string{"--verbose"}, wantErr: "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := runParse(tt.args, strings.NewReader(tt.stdin), &out)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("runParse(%q) error = %v, want it to contain %q", tt.args, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("runParse(%q): %v", tt.args, err)
			}
			var got []string
			if s := strings.TrimSuffix(out.String(), "\n"); s != "" {
				got = strings.Split(s, "\n")
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("runParse(%q) output (-want +got):\n%s", tt.args, diff)
			}
			for _, line := range got {
				if !json.Valid([]byte(line)) {
					t.Errorf("line %q is not JSON", line)
				}
			}
		})
	}
}

func TestRunParseHelp(t *testing.T) {
	var out bytes.Buffer
	if err := runParse([]string{"-h"}, strings.NewReader(""), &out); err != nil {
		t.Fatalf("runParse(-h): %v", err)
	}
	if !strings.Contains(out.String(), "usage: campaignbot parse") {
		t.Errorf("help = %q", out.String())
	}
}
