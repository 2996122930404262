"""A Paho Python (Debian python3-paho-mqtt, 1.6) MQTT 5 client for MqttPropertiesInteropIT.

  props_client.py sub HOST PORT CLIENT_ID TOPIC QOS COUNT CLEAN_START TIMEOUT_S
      subscribes (session expiry 300 s), prints READY after the SUBACK, then one line per message in the
      format of mosquitto_sub -F '%t|%p|%P|%C|%R|%D|%E|%F', and exits 0 after COUNT messages (COUNT 0: disconnect right after READY),
      2 on timeout.
  props_client.py pub HOST PORT CLIENT_ID TOPIC QOS PAYLOAD MODE
      publishes one message and waits for its acknowledgement; MODE "user" sends user properties only
      (k=v, k2=v2, k=v3 in this order), "all" adds content type, response topic, correlation data,
      payload format indicator and a 60 s message expiry interval.
"""
import sys
import threading

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties


def connect(host, port, client_id, clean_start):
    c = mqtt.Client(client_id=client_id, protocol=mqtt.MQTTv5)
    connected = threading.Event()
    c.on_connect = lambda client, userdata, flags, rc, props=None: connected.set()
    props = Properties(PacketTypes.CONNECT)
    props.SessionExpiryInterval = 300
    c.connect(host, port, keepalive=30, clean_start=clean_start, properties=props)
    c.loop_start()
    if not connected.wait(20):
        sys.exit(3)
    return c


def describe(msg):
    """The line mosquitto_sub -F '%t|%p|%P|%C|%R|%D|%E|%F' prints for the same message."""
    p = msg.properties

    def prop(name):
        if p is None or not hasattr(p, name):
            return ""
        v = getattr(p, name)
        return v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)

    user = " ".join(k + ":" + v for k, v in getattr(p, "UserProperty", [])) if p is not None else ""
    return "|".join([msg.topic, msg.payload.decode("utf-8", "replace"), user, prop("ContentType"),
                     prop("ResponseTopic"), prop("CorrelationData"), prop("MessageExpiryInterval"),
                     prop("PayloadFormatIndicator")])


def sub(host, port, client_id, topic, qos, count, clean_start, timeout):
    done = threading.Event()
    seen = []
    lock = threading.Lock()

    def on_message(client, userdata, msg):
        with lock:
            seen.append(msg)
            print(describe(msg), flush=True)
            if len(seen) >= count:
                done.set()

    subscribed = threading.Event()
    c = mqtt.Client(client_id=client_id, protocol=mqtt.MQTTv5)
    c.on_message = on_message
    c.on_subscribe = lambda client, userdata, mid, codes, props=None: subscribed.set()

    def on_connect(client, userdata, flags, rc, props=None):
        client.subscribe(topic, qos=qos)

    c.on_connect = on_connect
    cprops = Properties(PacketTypes.CONNECT)
    cprops.SessionExpiryInterval = 300
    c.connect(host, port, keepalive=30, clean_start=clean_start, properties=cprops)
    c.loop_start()
    if not subscribed.wait(timeout):
        sys.exit(2)
    print("READY", flush=True)
    if count > 0 and not done.wait(timeout):
        sys.exit(2)
    c.disconnect()
    c.loop_stop()


def pub(host, port, client_id, topic, qos, payload, mode):
    c = connect(host, port, client_id, True)
    props = Properties(PacketTypes.PUBLISH)
    props.UserProperty = ("k", "v")
    props.UserProperty = ("k2", "v2")
    props.UserProperty = ("k", "v3")
    if mode == "all":
        props.ContentType = "text/plain"
        props.ResponseTopic = "reply/here"
        props.CorrelationData = b"corr-1"
        props.PayloadFormatIndicator = 1
        props.MessageExpiryInterval = 60
    info = c.publish(topic, payload, qos=qos, properties=props)
    info.wait_for_publish(20)
    if not info.is_published():
        sys.exit(2)
    c.disconnect()
    c.loop_stop()


if __name__ == "__main__":
    a = sys.argv
    if a[1] == "sub":
        sub(a[2], int(a[3]), a[4], a[5], int(a[6]), int(a[7]), a[8] == "true", float(a[9]))
    else:
        pub(a[2], int(a[3]), a[4], a[5], int(a[6]), a[7], a[8])
