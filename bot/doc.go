// Package bot connects reps to the command handler: Slack over socket mode in production, and a
// console on standard input and output for trying campaignbot without Slack.
//
// Both adapters have one shape: Run(ctx, handler) reads messages until ctx ends, and DM / Post
// deliver what the scheduler sends. bot imports commands (for Message and Reply) and campaign,
// never storage or scheduler; slack-go types do not leave this package.
package bot
