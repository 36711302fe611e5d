package io.oldguard.simulator;

import org.apache.cxf.binding.soap.Soap11;
import org.apache.cxf.binding.soap.SoapFault;

/** Builds the SOAP 1.1 faults the 2008 service answered with; CXF serialises a thrown {@link SoapFault} as-is. */
final class LegacyFaults {

    private LegacyFaults() {
    }

    /** The caller's fault, e.g. an unknown item or insufficient stock ({@code soap:Client}). */
    static SoapFault client(String message) {
        return new SoapFault(message, Soap11.getInstance().getSender());
    }

    /** The service's fault, e.g. a raw database error ({@code soap:Server}). */
    static SoapFault server(String message) {
        return new SoapFault(message, Soap11.getInstance().getReceiver());
    }
}
