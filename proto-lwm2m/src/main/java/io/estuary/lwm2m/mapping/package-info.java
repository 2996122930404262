/**
 * The EMQX JSON mapping, pure and stateless: downlink command JSON to Leshan requests
 * ({@link io.estuary.lwm2m.mapping.CommandParser}, {@link io.estuary.lwm2m.mapping.RequestBuilder}) and
 * Leshan responses, notifications, Send data and registrations to event JSON
 * ({@link io.estuary.lwm2m.mapping.EventJson}). Malformed input becomes a value
 * ({@link io.estuary.lwm2m.mapping.ParseResult.Rejected}, {@link io.estuary.lwm2m.mapping.BuildResult.Invalid}),
 * never an exception. Safe on any thread.
 */
package io.estuary.lwm2m.mapping;
