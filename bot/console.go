package bot

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"campaignbot/commands"
)

// Handler runs one rep message and returns the reply. commands.Handler implements it.
type Handler interface {
	Handle(ctx context.Context, m commands.Message) commands.Reply
}

// Console is a chat adapter on plain text streams: each input line is a message from one rep,
// and replies and scheduled messages are written to Out. It is the default when no Slack tokens
// are configured.
type Console struct {
	In       io.Reader
	Out      io.Writer
	Team     string
	User     string
	Location *time.Location
	// Prompt prints "> " before each line; main turns it on when stdin is a terminal.
	Prompt bool
	// Log receives the one error line of a handler that panicked; nil discards it.
	Log *slog.Logger
	// ExportDir is the folder where files that replies carry ("export") are saved; main sets
	// DATA_DIR/exports. Empty means files are not saved.
	ExportDir string

	mu sync.Mutex // serialises writes: replies and scheduler messages share Out
}

// Run reads lines until EOF or ctx ends. EOF is a normal end and returns nil.
func (c *Console) Run(ctx context.Context, h Handler) error {
	lines := make(chan string)
	readErr := make(chan error, 1)
	go func() {
		// The scanner blocks in Read, which ctx cannot interrupt; the goroutine ends at EOF.
		sc := bufio.NewScanner(c.In)
		sc.Buffer(make([]byte, 64*1024), 1024*1024)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
		readErr <- sc.Err()
	}()
	if err := c.prompt(); err != nil {
		return err
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-readErr:
			if err != nil {
				return fmt.Errorf("read console input: %w", err)
			}
			return nil
		case line := <-lines:
			if strings.TrimSpace(line) != "" {
				log := c.Log
				if log == nil {
					log = slog.New(slog.DiscardHandler)
				}
				r, _ := safeHandle(ctx, log, h, commands.Message{Team: c.Team, User: c.User, Channel: "console", Text: line, Location: c.Location})
				if err := c.write("", r); err != nil {
					return err
				}
			}
			if err := c.prompt(); err != nil {
				return err
			}
		}
	}
}

// DM prints a message the scheduler sends to a rep.
func (c *Console) DM(_ context.Context, _, user string, r commands.Reply) error {
	return c.writeAsync("(DM to "+user+") ", r)
}

// Post prints a message the scheduler sends to a channel.
func (c *Console) Post(_ context.Context, _, channel string, r commands.Reply) error {
	return c.writeAsync("(#"+channel+") ", r)
}

// writeAsync prints a message that arrives while the rep may be at the prompt: on its own lines,
// followed by a fresh prompt.
func (c *Console) writeAsync(prefix string, r commands.Reply) error {
	if c.Prompt {
		prefix = "\n" + prefix
	}
	if err := c.write(prefix, r); err != nil {
		return err
	}
	return c.prompt()
}

func (c *Console) prompt() error {
	if !c.Prompt {
		return nil
	}
	return c.output("> ")
}

// write prints a reply: its text, its buttons as commands, and where its file was saved.
func (c *Console) write(prefix string, r commands.Reply) error {
	var b strings.Builder
	b.WriteString(prefix + consoleText(r.Text) + "\n")
	for _, a := range r.Actions {
		writeAction(&b, "  ", a)
	}
	if r.File != nil {
		// The console's user runs the process, so the file system's own error is theirs to see.
		if path, err := saveFile(c.ExportDir, r.File); err != nil {
			fmt.Fprintf(&b, "(file not saved: %v)\n", err)
		} else {
			fmt.Fprintf(&b, "(file saved: %s)\n", path)
		}
	}
	return c.output(b.String())
}

// output writes s in one piece, so replies and scheduled messages never interleave.
func (c *Console) output(s string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := io.WriteString(c.Out, s); err != nil {
		return fmt.Errorf("write console output: %w", err)
	}
	return nil
}

// writeAction shows a button as the command that does the same thing, so a console user learns
// the typed grammar.
func writeAction(w *strings.Builder, indent string, a commands.Action) {
	switch {
	case len(a.Options) > 0:
		fmt.Fprintf(w, "%s[%s]\n", indent, a.Label)
		for _, o := range a.Options {
			writeAction(w, indent+"  ", o)
		}
	case a.Ask != "":
		fmt.Fprintf(w, "%s[%s] type: %s <your answer>   (%s)\n", indent, a.Label, a.Command, a.Ask)
	default:
		fmt.Fprintf(w, "%s[%s] type: %s\n", indent, a.Label, a.Command)
	}
}

// consoleText turns Slack mrkdwn into terminal text: quoted lines ("> …") are indented so they
// cannot be mistaken for the prompt, the emoji the bot uses become characters, and chat escaping
// is undone, since &, < and > are harmless in a terminal.
func consoleText(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if rest, ok := strings.CutPrefix(l, "> "); ok {
			lines[i] = "    │ " + rest
		}
	}
	return plainText(emoji.Replace(strings.Join(lines, "\n")))
}

// emoji maps the Slack emoji codes the bot writes to the characters Slack would show.
var emoji = strings.NewReplacer(
	":bell:", "🔔", ":fire:", "🔥", ":trophy:", "🏆", ":rocket:", "🚀", ":hourglass:", "⏳",
	":wave:", "👋", ":warning:", "⚠️", ":sunrise:", "🌅",
)

// plainText undoes Slack's escaping of &, < and >.
var plainText = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace
