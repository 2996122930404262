package io.estuary.mqttsn.codec;

/** MsgType octet values (MQTT-SN 1.2 §5.3.2 Table 3). */
final class MsgType {
  static final int ADVERTISE = 0x00;
  static final int SEARCHGW = 0x01;
  static final int GWINFO = 0x02;
  static final int CONNECT = 0x04;
  static final int CONNACK = 0x05;
  static final int WILLTOPICREQ = 0x06;
  static final int WILLTOPIC = 0x07;
  static final int WILLMSGREQ = 0x08;
  static final int WILLMSG = 0x09;
  static final int REGISTER = 0x0A;
  static final int REGACK = 0x0B;
  static final int PUBLISH = 0x0C;
  static final int PUBACK = 0x0D;
  static final int PUBCOMP = 0x0E;
  static final int PUBREC = 0x0F;
  static final int PUBREL = 0x10;
  static final int SUBSCRIBE = 0x12;
  static final int SUBACK = 0x13;
  static final int UNSUBSCRIBE = 0x14;
  static final int UNSUBACK = 0x15;
  static final int PINGREQ = 0x16;
  static final int PINGRESP = 0x17;
  static final int DISCONNECT = 0x18;
  static final int WILLTOPICUPD = 0x1A;
  static final int WILLTOPICRESP = 0x1B;
  static final int WILLMSGUPD = 0x1C;
  static final int WILLMSGRESP = 0x1D;
  static final int ENCAPSULATED = 0xFE;

  private MsgType() {}
}
