package io.estuary.api.hooks;

import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * A plugin: found by {@link java.util.ServiceLoader} ({@code META-INF/services/io.estuary.api.hooks.HookPlugin},
 * a public no-argument constructor) on the class path or in a jar in the gateway's {@code plugins/}
 * directory. The gateway chains the plugins in {@code hooks.order} (then the rest by name); for each
 * answered hook it asks them in turn until one answers OK or ERROR. Only the hooks in {@link #hooks()}
 * are called, so a plugin pays for nothing else and a gateway without plugins pays for nothing.
 *
 * <p><b>Threads.</b> Every method is called on the gateway's hook threads, never on an I/O thread; one
 * client's calls come one at a time, in order. An answer may come later (the returned stage may complete
 * on any thread: an HTTP call, a script); an answer later than {@code hooks.timeout} counts as
 * {@code hooks.on_timeout}. Notification methods must return quickly (hand slow work elsewhere).
 * Exceptions count as ERROR for answered hooks and are logged for notifications.
 */
public interface HookPlugin {

  /** The plugin's name: unique, lower-case, used in {@code hooks.order} and {@code plugins.<name>}. */
  String name();

  /** The hooks this plugin implements; read once at start and after {@link #hooksChanged}. */
  Set<HookName> hooks();

  /** Called once before the first hook, with the plugin's config. */
  default void start(PluginContext context) {
  }

  /** Called once at shutdown. */
  default void stop() {
  }

  /** {@code auth_on_register}: ok may carry {@link RegisterModifiers} (mountpoint, client id). */
  default CompletionStage<Verdict<RegisterModifiers>> authOnRegister(RegisterRequest request) {
    return Verdict.nextStage();
  }

  /** {@code auth_on_publish}: ok may carry {@link PublishModifiers}. */
  default CompletionStage<Verdict<PublishModifiers>> authOnPublish(PublishRequest request) {
    return Verdict.nextStage();
  }

  /** {@code auth_on_subscribe}: ok may carry {@link SubscribeModifiers}. */
  default CompletionStage<Verdict<SubscribeModifiers>> authOnSubscribe(SubscribeRequest request) {
    return Verdict.nextStage();
  }

  /** {@code on_deliver}: ok may carry {@link DeliverModifiers}; error drops the message for this client. */
  default CompletionStage<Verdict<DeliverModifiers>> onDeliver(DeliverRequest request) {
    return Verdict.nextStage();
  }

  /** Every notification hook in {@link #hooks()} ({@link ClientEvent#hook()} says which). */
  default void onEvent(ClientEvent event) {
  }

  /**
   * The set {@link #hooks()} answers may change at run time (webhooks registered with {@code estuary ctl}):
   * the gateway calls the listener given here and reads {@link #hooks()} again.
   */
  default void hooksChanged(Runnable listener) {
  }

  /**
   * Whether {@link #hooks()} may grow from empty at run time (webhooks registered with {@code estuary ctl}). The
   * gateway wraps sessions for hooks only when some plugin answers a hook at start or says yes here; a plugin
   * that is merely on the class path with nothing to do (the Lua plugin without scripts) costs nothing.
   */
  default boolean hooksMayChange() {
    return false;
  }

  /**
   * A management command of this plugin ({@code POST /api/v5/plugins/<name>/<command>} with the query
   * parameters as {@code args}; {@code estuary ctl script show|reload} for the Lua plugin): the answer, made of
   * maps, lists, strings, numbers and booleans (it is sent as JSON), or null when the plugin has no such
   * command (404). An {@link IllegalArgumentException} answers 400 with its message. Called on the management
   * API's threads, never on a hook thread.
   */
  default Object command(String command, java.util.Map<String, String> args) {
    return null;
  }
}
