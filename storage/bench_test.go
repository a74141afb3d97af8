package storage_test

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"campaignbot/campaign"
	"campaignbot/storage"
	"campaignbot/storage/storagetest"
)

// Benchmarks run against a private redis-server like the tests. The memory benchmark loads
// 100,000 campaigns and takes several seconds, so it runs only with -bench:
//
//	go test ./storage -run='^$' -bench=. -benchtime=1x   # memory figures
//	go test ./storage -run='^$' -bench='Create|Save|Open'  # latency figures

var (
	firstNames = strings.Fields("James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara " +
		"Richard Susan Joseph Jessica Thomas Sarah Christopher Karen Charles Lisa Daniel Nancy Matthew Sandra Anthony " +
		"Betty Mark Margaret Priya Wei Olumide Sofía José Anh Fatima Raj Mohammed Aiko")
	lastNames = strings.Fields("Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez " +
		"Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez " +
		"Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams " +
		"Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts O'Connor Van-der-Berg")
	companyWords = strings.Fields("Acme Globex Initech Umbrella Stark Wayne Wonka Hooli Vandelay Cyberdyne Soylent " +
		"Tyrell Massive Dynamic Gringotts Oscorp Aperture Monarch Pied Piper Northwind Contoso Fabrikam Litware")
	companyKinds    = strings.Fields("Logistics Manufacturing Health Systems Foods Analytics Staffing Partners Group Labs")
	companySuffixes = []string{"", "", " Inc.", " LLC", " Corp", ", Ltd."}
)

// benchTeam is shaped like a Slack workspace ID.
const benchTeam = "T024BE7LH"

// fleet returns reps × perRep realistic open campaigns, due over the next 60 days.
func fleet(reps, perRep int) []campaign.Campaign {
	r := rand.New(rand.NewPCG(1, 2))
	cs := make([]campaign.Campaign, 0, reps*perRep)
	temps := []campaign.Temperature{campaign.Cold, campaign.Warm, campaign.Hot}
	chans := []campaign.Channel{campaign.Call, campaign.Email, campaign.AnyChannel, campaign.LinkedIn}
	for i := range reps {
		owner := fmt.Sprintf("U0%09X", 0x4BE7000+i) // 11 characters, like U024BE7LH99
		for j := range perRep {
			c := campaign.Campaign{
				Team:  benchTeam,
				Owner: owner,
				// The index j keeps names unique per rep; reps court different people in real life.
				Person: firstNames[r.IntN(len(firstNames))] + " " + lastNames[r.IntN(len(lastNames))] + " " +
					strconv.Itoa(j),
				Company: companyWords[r.IntN(len(companyWords))] + " " + companyKinds[r.IntN(len(companyKinds))] +
					companySuffixes[r.IntN(len(companySuffixes))],
				Temperature: temps[r.IntN(3)],
				Channel:     chans[r.IntN(len(chans))],
				Status:      campaign.Active,
				DueAt:       t0.Add(time.Duration(r.Int64N(int64(60 * 24 * time.Hour)))).Truncate(time.Minute),
				TimeGiven:   r.IntN(4) == 0,
				LastDoneAt:  t0.Add(-time.Duration(r.Int64N(int64(30 * 24 * time.Hour)))),
			}
			if r.IntN(3) == 0 {
				c.LastDoneAt = time.Time{}
			}
			cs = append(cs, c)
		}
	}
	return cs
}

func usedMemory(b *testing.B, rdb *redis.Client) int64 {
	b.Helper()
	info, err := rdb.Info(b.Context(), "memory").Result()
	if err != nil {
		b.Fatal(err)
	}
	for line := range strings.SplitSeq(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, "used_memory:"); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return n
		}
	}
	b.Fatal("INFO memory has no used_memory")
	return 0
}

// BenchmarkMemoryPerCampaign reports the used_memory growth per stored campaign over 100,000
// campaigns (250 reps × 400): the hash, its due entry and its rep-index and name-index entries.
// The note variant adds a first note of about 60 bytes in its own list.
func BenchmarkMemoryPerCampaign(b *testing.B) {
	cs := fleet(250, 400)
	note := &campaign.Note{At: t0, Author: "U024BE7LH01", Text: "Met at the staffing expo, wants rates for Q3 forklift drivers."}
	for _, v := range []struct {
		name string
		note *campaign.Note
	}{{"plain", nil}, {"first-note", note}} {
		b.Run(v.name, func(b *testing.B) {
			rdb := storagetest.NewClient(b)
			s := storage.New(rdb)
			s.Now = func() time.Time { return t0 }
			ctx := b.Context()
			var perCampaign, audit float64
			for b.Loop() {
				b.StopTimer()
				rdb.FlushAll(ctx)
				// One campaign first, so the script cache and the team's counter are not counted.
				warm := cs[0]
				warm.Team = "TWARMUP"
				if err := storage.CreateMany(ctx, s, []campaign.Campaign{warm}, v.note); err != nil {
					b.Fatal(err)
				}
				before := usedMemory(b, rdb)
				b.StartTimer()
				if err := storage.CreateMany(ctx, s, cs, v.note); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				perCampaign = float64(usedMemory(b, rdb)-before) / float64(len(cs))
				// The audit trail (issue 6) is reported apart from the campaign's own state, so the
				// storage layout's figure stays comparable with the naive layout's ~630 B.
				audit = float64(rdb.MemoryUsage(ctx, storage.AuditKey(benchTeam), 0).Val()+
					rdb.MemoryUsage(ctx, storage.TrailKey(benchTeam), 0).Val()) / float64(len(cs))
				b.StartTimer()
			}
			b.ReportMetric(perCampaign, "B/campaign")
			b.ReportMetric(perCampaign-audit, "state-B/campaign")
			b.ReportMetric(audit, "audit-B/campaign")
			b.ReportMetric(0, "ns/op") // the time of a bulk load is not a figure anyone should compare
			logBreakdown(b, rdb, len(cs))
		})
	}
}

// logBreakdown logs MEMORY USAGE of one key of each kind, to show where the bytes go.
func logBreakdown(b *testing.B, rdb *redis.Client, n int) {
	b.Helper()
	ctx := b.Context()
	usage := func(key string) int64 { return rdb.MemoryUsage(ctx, key, 0).Val() }
	owner := fleet(1, 1)[0].Owner
	b.Logf("MEMORY USAGE: campaign hash %d B (%s), notes %d B, due ZSET %.1f B/entry (%s), rep index %.1f B/entry (%s), name index %.1f B/entry",
		usage(storage.CampaignKey(benchTeam, "1")), rdb.ObjectEncoding(ctx, storage.CampaignKey(benchTeam, "1")).Val(),
		usage(storage.NotesKey(benchTeam, "1")),
		float64(usage(storage.DueKey(benchTeam)))/float64(n), rdb.ObjectEncoding(ctx, storage.DueKey(benchTeam)).Val(),
		float64(usage(storage.RepIndexKey(benchTeam, owner)))/400, rdb.ObjectEncoding(ctx, storage.RepIndexKey(benchTeam, owner)).Val(),
		float64(usage(storage.NameIndexKey(benchTeam, owner)))/400)
}

func BenchmarkCreate(b *testing.B) {
	s, _ := benchStore(b)
	c := fleet(1, 1)[0]
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		c.Person = "Jane Smith " + strconv.Itoa(i)
		if _, err := s.Create(b.Context(), c, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSaveMove moves one campaign's due time back and forth, the most common edit.
func BenchmarkSaveMove(b *testing.B) {
	s, _ := benchStore(b)
	c, err := s.Create(b.Context(), fleet(1, 1)[0], nil)
	if err != nil {
		b.Fatal(err)
	}
	due := c.DueAt
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		c.DueAt = due.Add(time.Duration(i%2) * time.Hour)
		if err := s.Save(b.Context(), c); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenList lists one rep's 400 open campaigns in due order.
func BenchmarkOpenList(b *testing.B) {
	s, _ := benchStore(b)
	cs := fleet(1, 400)
	if err := storage.CreateMany(b.Context(), s, cs, nil); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		got, err := s.Open(b.Context(), benchTeam, cs[0].Owner)
		if err != nil || len(got) != 400 {
			b.Fatalf("Open = %d campaigns, %v", len(got), err)
		}
	}
}

// BenchmarkOpenAll reads a 20-rep workspace's 8,000 open campaigns, as a leaderboard does.
func BenchmarkOpenAll(b *testing.B) {
	s, _ := benchStore(b)
	if err := storage.CreateMany(b.Context(), s, fleet(20, 400), nil); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		got, err := s.OpenAll(b.Context(), benchTeam)
		if err != nil || len(got) != 20 {
			b.Fatalf("OpenAll = %d reps, %v", len(got), err)
		}
	}
}

func benchStore(b *testing.B) (*storage.Store, *redis.Client) {
	b.Helper()
	rdb := storagetest.NewClient(b)
	s := storage.New(rdb)
	s.Now = func() time.Time { return t0 }
	return s, rdb
}
