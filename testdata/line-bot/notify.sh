#!/bin/sh
# LINE Notify ended on 2025-03-31; FAKE token generated for channelguard's tests.
curl -X POST -H 'Authorization: Bearer UHKeKAIYoZNmrCqntx1FprUsv6OYGWni4kMGMHjwRw3' -F 'message=deployed' https://notify-api.line.me/api/notify
