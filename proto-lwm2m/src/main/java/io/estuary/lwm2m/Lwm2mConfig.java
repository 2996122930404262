package io.estuary.lwm2m;

import io.estuary.api.limits.Rate;
import io.estuary.lwm2m.bootstrap.BootstrapSettings;
import io.estuary.lwm2m.security.DtlsListener;
import java.util.Collections;

import io.estuary.cf.CfSettings;
import io.estuary.cf.ListenerLimits;
import io.estuary.cf.KnownSources;
import io.estuary.cf.UnknownSourceBudget;
import io.estuary.api.AdapterConfig;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * {@code gateway.lwm2m}, EMQX names where they exist.
 *
 * @param xmlDir directory of extra object definitions (XML), relative to the working directory
 * @param lifetimeMin shortest registration lifetime accepted
 * @param lifetimeMax longest registration lifetime accepted
 * @param qmodeTimeWindow how long a queue-mode device stays reachable after an uplink
 * @param autoObserve observe every object instance of the register object list
 * @param publishUpdateAlways publish update events for every update, not only those carrying an object list
 * @param mountpoint topic prefix; {@code ${endpoint}} and {@code ${clientid}} become the endpoint name
 * @param translators topic and QoS per message kind
 * @param commandTimeout how long a downlink request waits for the device's answer
 * @param commandTtl how long a command waits for a sleeping queue-mode device
 * @param maxQueuedCommands per endpoint, commands waiting for a sleeping device
 * @param udpListeners listener name → bind address
 * @param dtlsListeners listener name → DTLS listener (bind address, dtls_options, PSK security store)
 * @param californium Californium tuning (threads, deduplicator, timers)
 * @param usernameFrom what a registration's username is for the authenticator and the ACL ({@code username_from})
 * @param bootstrap the bootstrap server ({@code bootstrap}); {@link BootstrapSettings#DISABLED} when off
 * @param limits listener name ({@code udp:default}, {@code dtls:default}) → its overload limits
 * @param maxObjectLinks most object links a register or update may carry; more gets 4.13
 * @param unknownDatagramRates plain UDP listener name ({@code udp:default}) → datagrams a second it hands to
 *     Californium from addresses it does not know ({@code unknown_datagram_rate})
 * @param knownSourceRule what makes an address known for {@code lifetime_max} ({@code known_source_rule}), on the
 *     server's and the bootstrap server's plain UDP listeners
 * @param maxObservations per endpoint, observations (single and composite) started or established at once
 */
public record Lwm2mConfig(
    String xmlDir,
    Duration lifetimeMin,
    Duration lifetimeMax,
    Duration qmodeTimeWindow,
    boolean autoObserve,
    boolean publishUpdateAlways,
    String mountpoint,
    Translators translators,
    Duration commandTimeout,
    Duration commandTtl,
    int maxQueuedCommands,
    Map<String, InetSocketAddress> udpListeners,
    Map<String, DtlsListener> dtlsListeners,
    CfSettings californium,
    UsernameFrom usernameFrom,
    BootstrapSettings bootstrap,
    Map<String, ListenerLimits> limits,
    int maxObjectLinks,
    Map<String, Rate> unknownDatagramRates,
    KnownSources.Rule knownSourceRule,
    int maxObservations) {

  /** {@code username_from}: none, the endpoint name, or the DTLS identity (PSK identity / certificate CN / RPK name). */
  public enum UsernameFrom {
    NONE, ENDPOINT, IDENTITY;

    static UsernameFrom parse(String s) {
      for (UsernameFrom u : values()) {
        if (u.name().equalsIgnoreCase(s.trim())) {
          return u;
        }
      }
      return null;
    }
  }

  public Lwm2mConfig {
    xmlDir = xmlDir == null ? "" : xmlDir;
    positive("lifetime_min", lifetimeMin);
    positive("lifetime_max", lifetimeMax);
    if (lifetimeMax.compareTo(lifetimeMin) < 0) {
      throw new IllegalArgumentException("lifetime_max (" + lifetimeMax + ") must not be below lifetime_min (" + lifetimeMin + ")");
    }
    positive("qmode_time_window", qmodeTimeWindow);
    positive("command_timeout", commandTimeout);
    positive("command_ttl", commandTtl);
    if (maxQueuedCommands < 1) {
      throw new IllegalArgumentException("max_queued_commands must be positive, was " + maxQueuedCommands);
    }
    mountpoint = mountpoint == null ? "" : mountpoint;
    Objects.requireNonNull(translators, "translators");
    udpListeners = Collections.unmodifiableMap(new LinkedHashMap<>(udpListeners));
    unknownDatagramRates = Map.copyOf(unknownDatagramRates);
    java.util.Objects.requireNonNull(knownSourceRule, "knownSourceRule");
    dtlsListeners = Collections.unmodifiableMap(new LinkedHashMap<>(dtlsListeners));
    if (udpListeners.isEmpty() && dtlsListeners.isEmpty()) {
      throw new IllegalArgumentException("no enabled listener (listeners.udp or listeners.dtls)");
    }
    Objects.requireNonNull(californium, "californium");
    Objects.requireNonNull(usernameFrom, "usernameFrom");
    Objects.requireNonNull(bootstrap, "bootstrap");
    limits = Map.copyOf(limits);
    if (maxObjectLinks < 1) {
      throw new IllegalArgumentException("max_object_links must be positive, was " + maxObjectLinks);
    }
    if (maxObservations < 1) {
      throw new IllegalArgumentException("max_observations must be positive, was " + maxObservations);
    }
  }

  /** The limits of listener {@code name} ({@code udp:default}); the defaults for an unknown name. */
  public ListenerLimits limits(String name) {
    return limits.getOrDefault(name, ListenerLimits.DEFAULTS);
  }

  /** {@code unknown_datagram_rate} of plain UDP listener {@code name} ({@code udp:default}). */
  public Rate unknownDatagramRate(String name) {
    return unknownDatagramRates.getOrDefault(name, UnknownSourceBudget.DEFAULT_RATE);
  }

  /**
   * How long an address stays known after its last proof (an update, an answer to a request of ours): the longest
   * registration lifetime accepted, so a registered device's next update is not taken for a stranger's.
   */
  public Duration knownSourceTtl() {
    return lifetimeMax;
  }

  /** The mountpoint of one endpoint. */
  public String mountpointFor(String endpoint) {
    return mountpoint.replace("${endpoint}", endpoint).replace("${clientid}", endpoint);
  }

  /** Reads and validates {@code gateway.lwm2m}; failures name the key, the value and what was expected. */
  public static Lwm2mConfig from(AdapterConfig c) {
    String cond = c.has("update_msg_publish_condition") ? c.getString("update_msg_publish_condition") : "contains_object_list";
    if (!cond.equals("always") && !cond.equals("contains_object_list")) {
      throw c.invalid("update_msg_publish_condition", "always or contains_object_list");
    }
    int maxQueued = c.getInt("max_queued_commands");
    if (maxQueued < 1) {
      throw c.invalid("max_queued_commands", "a positive number");
    }
    Map<String, InetSocketAddress> udp = new LinkedHashMap<>();
    Map<String, ListenerLimits> limits = new LinkedHashMap<>();
    Map<String, Rate> unknownRates = new LinkedHashMap<>();
    c.enabledListeners("udp").forEach((name, l) -> {
      udp.put(name, l.getAddress("bind"));
      limits.put("udp:" + name, ListenerLimits.from(l));
      UnknownSourceBudget.readRate(l, "udp:" + name, unknownRates);
    });
    Map<String, DtlsListener> dtls = new LinkedHashMap<>();
    c.enabledListeners("dtls").forEach((name, l) -> {
      dtls.put(name, DtlsListener.from(l, l.getAddress("bind")));
      limits.put("dtls:" + name, ListenerLimits.from(l));
    });
    int maxLinks = c.getInt("max_object_links");
    if (maxLinks < 1) {
      throw c.invalid("max_object_links", "a positive number");
    }
    int maxObservations = c.getInt("max_observations");
    if (maxObservations < 1) {
      throw c.invalid("max_observations", "a positive number");
    }
    UsernameFrom usernameFrom = UsernameFrom.parse(c.has("username_from") ? c.getString("username_from") : "none");
    if (usernameFrom == null) {
      throw c.invalid("username_from", "none, endpoint or identity");
    }
    CfSettings cf = c.has("californium") ? CfSettings.from(c.getConfig("californium"), 256 * 1024)
        : CfSettings.DEFAULTS.withMaxBodySize(256 * 1024);
    try {
      return new Lwm2mConfig(c.getString("xml_dir"), c.getDuration("lifetime_min"), c.getDuration("lifetime_max"),
          c.getDuration("qmode_time_window"), c.getBoolean("auto_observe"), cond.equals("always"),
          c.getString("mountpoint"), c.has("translators") ? Translators.from(c.getConfig("translators")) : Translators.DEFAULTS,
          c.getDuration("command_timeout"), c.getDuration("command_ttl"), maxQueued, udp, dtls, cf, usernameFrom,
          BootstrapSettings.from(c), limits, maxLinks, unknownRates, KnownSources.Rule.read(c), maxObservations);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(c.path() + ": " + e.getMessage(), e);
    }
  }

  private static void positive(String key, Duration v) {
    if (v == null || v.isNegative() || v.isZero()) {
      throw new IllegalArgumentException(key + " must be a positive duration, was " + v);
    }
  }
}
