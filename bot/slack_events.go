package bot

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"campaignbot/commands"
)

// submitBudget is how long a modal submission may take before we ack without field errors:
// Slack shows the rep "trouble connecting" after 3 s.
const submitBudget = 2500 * time.Millisecond

// origin is where an interaction came from, so its reply can replace the message it was on.
type origin struct {
	team, user  string
	channel, ts string
	responseURL string // for ephemeral messages, which chat.update can't reach
	ephemeral   bool
	home        bool // the App Home tab: there is no message to update
}

// onEvent handles one Events API callback. Filters run before dedupe, so the bot's own messages
// echoed back to it cost no Redis round trip.
func (s *Slack) onEvent(ctx context.Context, h Handler, ea slackevents.EventsAPIEvent) {
	cb, _ := ea.Data.(*slackevents.EventsAPICallbackEvent)
	if cb == nil {
		return
	}
	team := ea.TeamID
	botUser, botID := s.bot()
	switch ev := ea.InnerEvent.Data.(type) {
	case *slackevents.MessageEvent:
		// A subtype is an edit, deletion, join or bot post; bot_id marks any app's message,
		// including our own replies, which would otherwise loop.
		if ev.ChannelType != "im" || ev.SubType != "" || ev.BotID != "" || ev.User == "" || ev.User == botUser {
			return
		}
		if !s.firstDelivery(ctx, team, cb.EventID) {
			return
		}
		text := stripMention(slackText(ev.Text), botUser)
		r := s.handle(ctx, h, s.message(ctx, team, ev.User, ev.Channel, text))
		s.reply(ctx, team, ev.Channel, ev.ThreadTimeStamp, r)
	case *slackevents.AppMentionEvent:
		// Mentions inside the bot's DM also arrive as message.im; answer those once, there.
		if ev.BotID != "" || ev.User == "" || ev.User == botUser || ev.User == botID || strings.HasPrefix(ev.Channel, "D") {
			return
		}
		if !s.firstDelivery(ctx, team, cb.EventID) {
			return
		}
		thread := ev.ThreadTimeStamp
		if thread == "" {
			thread = ev.TimeStamp
		}
		text := stripMention(slackText(ev.Text), botUser)
		r := s.handle(ctx, h, s.message(ctx, team, ev.User, ev.Channel, text))
		if r.Private {
			// Everyone in the channel would see other reps' data: only the asker sees it (a file
			// goes to their DM, and they alone are told so here).
			s.ephemeral(ctx, origin{team: team, user: ev.User, channel: ev.Channel, ts: thread}, r, false)
			return
		}
		s.reply(ctx, team, ev.Channel, thread, r)
	case *slackevents.AppHomeOpenedEvent:
		if ev.Tab != "home" || ev.User == "" {
			return
		}
		if !s.firstDelivery(ctx, team, cb.EventID) {
			return
		}
		s.publishHome(ctx, h, team, ev.User)
	}
}

// onSlash answers /followup. The envelope was acked empty before the work; the reply goes to
// the command's response_url as an ephemeral message only the rep sees.
func (s *Slack) onSlash(ctx context.Context, h Handler, cmd slack.SlashCommand) {
	r := s.handle(ctx, h, s.message(ctx, cmd.TeamID, cmd.UserID, cmd.ChannelID, slackText(cmd.Text)))
	s.ephemeral(ctx, origin{team: cmd.TeamID, user: cmd.UserID, channel: cmd.ChannelID, responseURL: cmd.ResponseURL}, r, false)
}

// onAction handles a button press or menu pick. The command comes from the element's value,
// but the rep is always the clicking user: the handler checks ownership against that user, so a
// tampered value can do no more than typing it could.
func (s *Slack) onAction(ctx context.Context, h Handler, cb slack.InteractionCallback) {
	if len(cb.ActionCallback.BlockActions) == 0 {
		return
	}
	act := cb.ActionCallback.BlockActions[0]
	o := interactionOrigin(cb)
	var command string
	switch {
	case strings.HasPrefix(act.ActionID, actionRun):
		command = act.Value
	case strings.HasPrefix(act.ActionID, actionMenu):
		command = act.SelectedOption.Value
	case strings.HasPrefix(act.ActionID, actionAsk):
		s.openAsk(ctx, cb, act.Value, o)
		return
	default:
		s.log.DebugContext(ctx, "slack action ignored", "action_id", act.ActionID)
		return
	}
	if command == "" {
		return
	}
	r := s.handle(ctx, h, s.message(ctx, o.team, o.user, o.channel, command))
	if r.Refused {
		// Our own buttons carry commands that worked when they were sent, so a refusal means
		// a stale card or a tampered value. The card stays; the refusal goes to the rep alone.
		s.log.WarnContext(ctx, "action refused", "user", o.user, "channel", o.channel, "command", command)
		s.ephemeral(ctx, o, r, false)
		return
	}
	s.replace(ctx, h, o, r)
}

// openAsk opens the modal of an Ask button. Slack's trigger_id lives 3 s, so this is the first
// thing the worker does.
func (s *Slack) openAsk(ctx context.Context, cb slack.InteractionCallback, value string, o origin) {
	var v askValue
	if err := json.Unmarshal([]byte(value), &v); err != nil || v.Command == "" {
		s.log.WarnContext(ctx, "action refused", "user", o.user, "channel", o.channel, "err", "malformed ask value")
		return
	}
	meta := modalMeta{Command: v.Command, Channel: o.channel, TS: o.ts, Home: o.home}
	if o.ephemeral {
		meta.ResponseURL = o.responseURL
	}
	view, ok := renderAskModal(v, meta)
	if !ok {
		s.log.WarnContext(ctx, "modal too large", "user", o.user)
		return
	}
	err := s.send.do(ctx, "views.open", "", func(ctx context.Context) error {
		_, err := s.api.OpenViewContext(ctx, cb.TriggerID, view)
		return err
	})
	if err != nil {
		s.log.ErrorContext(ctx, "open modal failed", "err", err, "user", o.user)
	}
}

// onSubmit handles a modal submission: the answer (typed, or else the picked date) is appended
// to the waiting command. A refusal goes back in the ack as an error under the input, keeping
// the modal open; anything else closes it and replaces the message the button was on.
func (s *Slack) onSubmit(ctx context.Context, sm *socketmode.Client, envelopeID string, start time.Time, h Handler, cb slack.InteractionCallback) {
	acked := false
	ack := func(payload any) {
		if !acked {
			acked = true
			s.ackID(ctx, sm, socketmode.RequestTypeInteractive, envelopeID, start, payload)
		}
	}
	defer ack(nil) // whatever happens, the modal must not hang
	if cb.View.CallbackID != modalCallback {
		return
	}
	var meta modalMeta
	if err := json.Unmarshal([]byte(cb.View.PrivateMetadata), &meta); err != nil || meta.Command == "" {
		s.log.WarnContext(ctx, "action refused", "user", cb.User.ID, "err", "malformed modal metadata")
		return
	}
	vals := cb.View.State.Values
	input := strings.TrimSpace(vals[blockAnswer][elemAnswer].Value)
	if input == "" {
		input = vals[blockDate][elemDate].SelectedDate
	}
	if input == "" {
		ack(slack.NewErrorsViewSubmissionResponse(map[string]string{blockAnswer: "Type an answer or pick a date."}))
		return
	}
	o := origin{team: cb.Team.ID, user: cb.User.ID, channel: meta.Channel, ts: meta.TS, responseURL: meta.ResponseURL, ephemeral: meta.ResponseURL != "", home: meta.Home}
	if o.channel == "" && !o.home {
		o.home = true // nowhere to update; the DM and Home refresh are the fallback
	}
	m := s.message(ctx, o.team, o.user, o.channel, meta.Command+" "+input)
	done := make(chan commands.Reply, 1)
	go func() { done <- s.handle(ctx, h, m) }() // ends within ctx's deadline; awaited below
	var r commands.Reply
	timer := time.NewTimer(submitBudget)
	defer timer.Stop()
	select {
	case r = <-done:
		if r.Refused {
			ack(slack.NewErrorsViewSubmissionResponse(map[string]string{blockAnswer: truncate(plainText(r.Text), 300)}))
			return
		}
		ack(nil)
	case <-timer.C:
		ack(nil) // too slow for field errors; the reply follows as a message
		r = <-done
		if r.Refused {
			s.ephemeral(ctx, o, r, false)
			return
		}
	}
	s.replace(ctx, h, o, r)
}

// publishHome renders the rep's App Home, if the handler offers one.
func (s *Slack) publishHome(ctx context.Context, h Handler, team, user string) {
	hh, ok := h.(HomeHandler)
	if !ok {
		return
	}
	r, _ := s.home(ctx, hh, s.message(ctx, team, user, "", ""))
	view := renderHome(r)
	err := s.send.do(ctx, "views.publish", "", func(ctx context.Context) error {
		_, err := s.api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: user, View: view})
		return err
	})
	if err != nil {
		s.log.ErrorContext(ctx, "publish home failed", "err", err, "user", user)
	}
}

// replace shows the reply to an interaction in place of the message it came from, so the same
// button can't be pressed twice to different effect. On the App Home, where there is no
// message, the reply goes to the rep's DM and the tab is refreshed.
func (s *Slack) replace(ctx context.Context, h Handler, o origin, r commands.Reply) {
	if r.File != nil {
		r = s.fileToDM(ctx, o.team, o.user, r) // a message can't be updated into a file
	}
	switch {
	case o.home:
		if err := s.DM(ctx, o.team, o.user, r); err != nil {
			s.log.ErrorContext(ctx, "reply failed", "err", err, "user", o.user)
		}
		s.publishHome(ctx, h, o.team, o.user)
	case o.ephemeral:
		s.ephemeral(ctx, o, r, true)
	default:
		text, blocks := renderMessage(r)
		err := s.send.do(ctx, "chat.update", "", func(ctx context.Context) error {
			_, _, _, err := s.api.UpdateMessageContext(ctx, o.channel, o.ts, slack.MsgOptionText(text, false), slack.MsgOptionBlocks(blocks...))
			return err
		})
		if err != nil {
			s.log.ErrorContext(ctx, "update message failed", "err", err, "user", o.user, "channel", o.channel)
		}
	}
}

// reply posts r in channel, in a thread when thread is set.
func (s *Slack) reply(ctx context.Context, team, channel, thread string, r commands.Reply) {
	if r.File != nil {
		s.replyFile(ctx, team, channel, thread, r)
		return
	}
	if err := s.post(ctx, channel, thread, r); err != nil {
		s.obs.HandlerError()
		s.log.ErrorContext(ctx, "reply failed", "err", err, "team", team, "channel", channel)
	}
}

// ephemeral shows r to one rep only: through the response_url when there is one (it also works
// where the bot is not a member), otherwise chat.postEphemeral. replaceOriginal swaps the
// ephemeral message the interaction came from.
func (s *Slack) ephemeral(ctx context.Context, o origin, r commands.Reply, replaceOriginal bool) {
	if r.File != nil {
		r = s.fileToDM(ctx, o.team, o.user, r) // no ephemeral files: the file goes to the DM
	}
	if o.home || o.channel == "" {
		if err := s.DM(ctx, o.team, o.user, r); err != nil {
			s.log.ErrorContext(ctx, "reply failed", "err", err, "user", o.user)
		}
		return
	}
	text, blocks := renderMessage(r)
	opts := []slack.MsgOption{slack.MsgOptionText(text, false), slack.MsgOptionBlocks(blocks...)}
	if o.responseURL != "" {
		mode := slack.MsgOptionResponseURL(o.responseURL, slack.ResponseTypeEphemeral)
		if replaceOriginal {
			mode = slack.MsgOptionReplaceOriginal(o.responseURL)
		}
		err := s.send.do(ctx, "response_url", "", func(ctx context.Context) error {
			_, _, _, err := s.api.SendMessageContext(ctx, o.channel, append(opts, mode)...)
			return err
		})
		if err == nil {
			return
		}
		// A response_url lets anyone post for 30 minutes: keep it out of the log.
		if ue, ok := errors.AsType[*url.Error](err); ok {
			err = ue.Err
		}
		s.log.WarnContext(ctx, "response_url failed", "err", err, "user", o.user, "channel", o.channel)
	}
	err := s.send.do(ctx, "chat.postEphemeral", "", func(ctx context.Context) error {
		_, err := s.api.PostEphemeralContext(ctx, o.channel, o.user, opts...)
		return err
	})
	if err != nil {
		s.log.ErrorContext(ctx, "reply failed", "err", err, "user", o.user, "channel", o.channel)
	}
}

// message builds the handler's input, with the rep's own time zone.
func (s *Slack) message(ctx context.Context, team, user, channel, text string) commands.Message {
	return commands.Message{Team: team, User: user, Channel: channel, Text: text, Location: s.zones.get(ctx, team, user)}
}

// firstDelivery reports whether an event is new. When the deduper fails (Redis down) the event
// is handled anyway: a rare double reply beats silently dropping a rep's message.
func (s *Slack) firstDelivery(ctx context.Context, team, eventID string) bool {
	if eventID == "" {
		return true
	}
	first, err := s.dedupe.FirstDelivery(ctx, team, eventID)
	if err != nil {
		s.log.WarnContext(ctx, "event dedupe failed", "err", err, "event_id", eventID)
		return true
	}
	if !first {
		s.log.DebugContext(ctx, "duplicate event skipped", "event_id", eventID)
	}
	return first
}

func interactionOrigin(cb slack.InteractionCallback) origin {
	o := origin{
		team:        cb.Team.ID,
		user:        cb.User.ID,
		channel:     cb.Container.ChannelID,
		ts:          cb.Container.MessageTs,
		responseURL: cb.ResponseURL,
		ephemeral:   cb.Container.IsEphemeral,
		home:        cb.Container.Type == "view" && cb.View.Type == slack.VTHomeTab,
	}
	if o.channel == "" {
		o.channel = cb.Channel.ID
	}
	if o.ts == "" {
		o.ts = cb.Message.Timestamp
	}
	if cb.Container.Type == "view" && !o.home {
		o.home = true // a modal's own buttons: no message to update either
	}
	return o
}

// slackText turns message text from Slack into what the rep typed. Slack escapes &, < and >
// as entities; commands escapes on the way out, so unescaping here keeps "R&D" from coming back
// as "R&amp;amp;D".
func slackText(s string) string { return strings.TrimSpace(plainText(s)) }

// stripMention removes a leading mention of the bot ("<@U0BOT> follow up…", optionally with a
// colon), which Slack puts first in app_mention text.
func stripMention(s, botUser string) string {
	if botUser == "" {
		return s
	}
	// The text is already unescaped (slackText), so the mention is in its raw <@…> form.
	if rest, ok := strings.CutPrefix(s, "<@"+botUser+">"); ok {
		return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(rest), ":"))
	}
	// Mentions can carry a label: <@U0BOT|followup>.
	if strings.HasPrefix(s, "<@"+botUser+"|") {
		if i := strings.IndexByte(s, '>'); i > 0 {
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s[i+1:]), ":"))
		}
	}
	return s
}
