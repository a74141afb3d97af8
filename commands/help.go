package commands

// helpText is the usage card: one example per command, in the words reps use.
const helpText = `*campaignbot* keeps your active campaigns honest: one named person, a dated next follow-up, a qualified company.
*Log* — follow up Jane Smith at Acme next Tuesday · call Raj @ Globex tomorrow 3pm hot · email Maria (Initech) on 4/1 re renewal
*Done* — done Jane, voicemail, next Friday · called Raj at Globex, sent rates, in 2 weeks · done Jane, close won
*Change* — move Jane to Monday · snooze #4 tomorrow morning · Jane is hot · note Jane: asked for rates · close Jane lost · undo #4
*Qualify* — qualify Acme: uses Robert Half (every campaign at Acme can then count)
*See* — list · today · overdue · this week · list Acme · find Jane · stats · leaderboard
*History* — history Jane · history #4 (every change to one of your campaigns, newest first)
*Export* — export (your campaigns as a CSV file) · export team (managers)
*Managers* — team · start date @rep 2026-02-01
*You* — away until Jan 5 · back · hours 8:30-17:30 · digest 7:30 (morning list time)
A campaign counts while it is open, names a person at a qualified company, and its follow-up hasn't lapsed (end of your next working day after it was due).`
