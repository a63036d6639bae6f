/**
 * Real loopback TCP traffic for proxies: an echo server, a streaming client that checks the
 * stream it gets back byte for byte (a deterministic pseudo-random stream and a CRC32C on both
 * ends), read gates for slow readers, and the plain Java NIO copy-loop proxy that the sockmap
 * proxy of issue 19 is measured against. Nothing here depends on JUnit, so that the bench module
 * uses the same classes as the tests; failures are {@link java.lang.AssertionError}s with a
 * message.
 */
package org.bpfmaps.testsupport.traffic;
