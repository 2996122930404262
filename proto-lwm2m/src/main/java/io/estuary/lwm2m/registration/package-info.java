/**
 * One {@link io.estuary.lwm2m.registration.Endpoint} per registered device: its broker session, its
 * command queue while it sleeps (queue mode), its observations. {@link io.estuary.lwm2m.registration.Endpoints}
 * receives Leshan's registration, presence, observation and Send callbacks (on Leshan's threads) and
 * hands each to the endpoint's {@link io.estuary.api.concurrent.SerialExecutor}: an endpoint's
 * state is only touched there, which is also its {@link io.estuary.api.DeliverySink#executor()}.
 */
package io.estuary.lwm2m.registration;
