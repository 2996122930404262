package io.estuary.lwm2m.mapping;

import java.util.Objects;
import java.util.Set;
import org.eclipse.leshan.core.LwM2m.LwM2mVersion;
import org.eclipse.leshan.core.request.ContentFormat;

/**
 * What a registered device said it supports, as far as building its requests goes: its LwM2M version
 * (composite operations need 1.1) and the content formats of its registration ({@code ct}, LwM2M 1.1
 * §6.2.1; empty when it named none).
 */
public record ClientProfile(LwM2mVersion version, Set<ContentFormat> contentFormats) {
  /** A LwM2M 1.1 device that named no content formats. */
  public static final ClientProfile LWM2M_1_1 = new ClientProfile(LwM2mVersion.V1_1, Set.of());

  public ClientProfile {
    Objects.requireNonNull(version, "version");
    contentFormats = Set.copyOf(contentFormats);
  }

  boolean supportsComposite() {
    return !version.olderThan(LwM2mVersion.V1_1);
  }

  /** SenML CBOR unless the device named only SenML JSON. */
  ContentFormat compositeFormat() {
    if (!contentFormats.contains(ContentFormat.SENML_CBOR) && contentFormats.contains(ContentFormat.SENML_JSON)) {
      return ContentFormat.SENML_JSON;
    }
    return ContentFormat.SENML_CBOR;
  }

  /**
   * The Accept of a read or observe without {@code contentFormat}: none (the device chooses) unless the
   * device named formats without TLV, then SenML CBOR or SenML JSON — a device that only speaks SenML
   * could not answer an object read otherwise.
   */
  ContentFormat readFormat() {
    if (contentFormats.isEmpty() || contentFormats.contains(ContentFormat.TLV)) {
      return null;
    }
    if (contentFormats.contains(ContentFormat.SENML_CBOR)) {
      return ContentFormat.SENML_CBOR;
    }
    return contentFormats.contains(ContentFormat.SENML_JSON) ? ContentFormat.SENML_JSON : null;
  }

  /** TLV (as EMQX) unless the device named formats without TLV: then SenML CBOR, SenML JSON, in that order. */
  ContentFormat writeFormat() {
    if (contentFormats.isEmpty() || contentFormats.contains(ContentFormat.TLV)) {
      return ContentFormat.TLV;
    }
    if (contentFormats.contains(ContentFormat.SENML_CBOR)) {
      return ContentFormat.SENML_CBOR;
    }
    return contentFormats.contains(ContentFormat.SENML_JSON) ? ContentFormat.SENML_JSON : ContentFormat.TLV;
  }
}
