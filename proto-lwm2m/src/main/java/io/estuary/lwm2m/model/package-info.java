/**
 * Object models (DDF XML): the OMA LwM2M registry shipped in this module's resources and parsed on first
 * use, Leshan's older versions of the core objects, and the operator's {@code xml_dir}, which adds or
 * overrides. {@link io.estuary.lwm2m.model.ModelCatalog} is immutable once built except for its parse
 * cache, a concurrent map any thread (Californium's, the endpoints' executors) may fill.
 */
package io.estuary.lwm2m.model;
