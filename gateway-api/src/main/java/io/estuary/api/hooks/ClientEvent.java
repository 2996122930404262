package io.estuary.api.hooks;

import io.estuary.api.ClientInfo;
import io.estuary.api.CloseReason;
import io.estuary.api.Message;
import java.util.List;

/**
 * What a notification hook is told (VerneMQ's {@code on_*} hooks without an answer). Every plugin that
 * registered the hook gets it; the order of one client's events is kept.
 */
public sealed interface ClientEvent {
  HookName hook();

  /** The client id the event is about. */
  String clientId();

  /** The client (protocol, peer, username...), or null for events about an offline session. */
  default ClientInfo client() {
    return null;
  }

  /** {@code on_register}: the client's session is open. */
  record Registered(ClientInfo client, boolean sessionPresent) implements ClientEvent {
    public HookName hook() {
      return HookName.ON_REGISTER;
    }

    public String clientId() {
      return client.clientId();
    }
  }

  /** {@code on_client_wakeup}: the client is online (after on_register, and when a sleeping device wakes). */
  record WokeUp(ClientInfo client) implements ClientEvent {
    public HookName hook() {
      return HookName.ON_CLIENT_WAKEUP;
    }

    public String clientId() {
      return client.clientId();
    }
  }

  /** {@code on_publish}: a message of the client was accepted (after auth_on_publish and its modifiers). */
  record Published(ClientInfo client, Message message) implements ClientEvent {
    public HookName hook() {
      return HookName.ON_PUBLISH;
    }

    public String clientId() {
      return client.clientId();
    }
  }

  /** {@code on_subscribe}: filters and the QoS granted (failures left out). */
  record Subscribed(ClientInfo client, List<SubscribeModifiers.Topic> granted) implements ClientEvent {
    public Subscribed {
      granted = List.copyOf(granted);
    }

    public HookName hook() {
      return HookName.ON_SUBSCRIBE;
    }

    public String clientId() {
      return client.clientId();
    }
  }

  /** {@code on_unsubscribe}. */
  record Unsubscribed(ClientInfo client, List<String> filters) implements ClientEvent {
    public Unsubscribed {
      filters = List.copyOf(filters);
    }

    public HookName hook() {
      return HookName.ON_UNSUBSCRIBE;
    }

    public String clientId() {
      return client.clientId();
    }
  }

  /** {@code on_client_offline}: a client with a persistent session went away; its session stays. */
  record Offline(ClientInfo client, CloseReason reason) implements ClientEvent {
    public HookName hook() {
      return HookName.ON_CLIENT_OFFLINE;
    }

    public String clientId() {
      return client.clientId();
    }
  }

  /** {@code on_client_gone}: a client without a persistent session went away; its session is gone. */
  record Gone(ClientInfo client, CloseReason reason) implements ClientEvent {
    public HookName hook() {
      return HookName.ON_CLIENT_GONE;
    }

    public String clientId() {
      return client.clientId();
    }
  }

  /** {@code on_offline_message}: a message was queued for the session of an offline client. */
  record OfflineMessage(String clientId, Message message) implements ClientEvent {
    public HookName hook() {
      return HookName.ON_OFFLINE_MESSAGE;
    }
  }

  /** {@code on_session_expired}: the session of an offline client expired and was removed. */
  record SessionExpired(String clientId) implements ClientEvent {
    public HookName hook() {
      return HookName.ON_SESSION_EXPIRED;
    }
  }
}
