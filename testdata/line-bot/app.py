# A LINE bot that hard-codes its credentials: what channelguard must find.
# FAKE values generated for channelguard's tests (see testdata/README.md).
from flask import Flask, request, abort
from linebot.v3 import WebhookHandler

app = Flask(__name__)
handler = WebhookHandler('c3d7347c704aa12706a94d03c7985204')

# LINE Login (https://access.line.me/oauth2/v2.1/authorize)
LOGIN_CLIENT_ID = "1650000001"
LINE_LOGIN_CHANNEL_SECRET = "91e39b240e17cf9774c20783298af535"


@app.route("/callback", methods=["POST"])
def callback():
    signature = request.headers["X-Line-Signature"]
    handler.handle(request.get_data(as_text=True), signature)
    return "OK"
