package org.bpfmaps.map.sockmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.DatagramChannel;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.BpfInstance;
import org.bpfmaps.core.api.BpfSettings;
import org.bpfmaps.core.api.MapCreateAttr;
import org.bpfmaps.core.api.MapElemAttr;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.sock.Sockets;
import org.bpfmaps.core.spi.ProviderHost;
import org.bpfmaps.testsupport.ClassPath;
import org.bpfmaps.testsupport.ProviderFixture;
import org.junit.jupiter.api.Test;

/** Without a framework, SOCKMAP and SOCKHASH are found through java.util.ServiceLoader. */
class ClassPathTest {
    @Test
    void serviceLoaderFindsTheSockmapProvider() throws IOException {
        ProviderHost runtime = ClassPath.runtimeServing(new SockMapProvider());
        try (BpfInstance bpf = runtime.newInstance(BpfSettings.defaults());
                DatagramChannel udp = DatagramChannel.open()) {
            udp.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int fd = bpf.bpf(BpfCmd.MAP_CREATE, new MapCreateAttr(MapType.SOCKHASH, 4, 8, 2));
            assertTrue(fd >= 3);
            int s = Sockets.register(bpf, udp);
            assertEquals(0, bpf.bpf(BpfCmd.MAP_UPDATE_ELEM,
                    new MapElemAttr().set(fd, ProviderFixture.u32(1), ProviderFixture.u64(s), BpfFlags.ANY)));
            ByteBuffer v = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
            assertEquals(0, bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, new MapElemAttr().set(fd, ProviderFixture.u32(1), v, 0)));
            assertEquals(Sockets.byFd(bpf, s).cookie(), v.getLong(0));
        }
    }
}
