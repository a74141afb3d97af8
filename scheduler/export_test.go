package scheduler

// TrendCaption lets the tests find the leaderboard chart's post.
const TrendCaption = trendCaption
