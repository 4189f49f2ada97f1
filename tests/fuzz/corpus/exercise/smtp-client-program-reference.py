{"id":"smtp-client-program","title":{"en":"Write a small SMTP client","es":"Escribir un cliente SMTP peque\u00f1o"},"statement":{"en":"Write a small SMTP client in C or Python. It is run as `program SENDER RECIPIENT...` (here: juan@gmail.com mcarri@dc.uba.ar pepe@gil.com.ar) and must send the message held in the environment variable MAILSIM_MESSAGE (lines separated by \\n: header fields, an empty line, the body) to the SMTP server at MAILSIM_SMTP_HOST, port MAILSIM_SMTP_PORT (environment variables too). Like the telnet session of section 3 of the note, but by program: wait for the server's greeting, then send EHLO (or HELO if EHLO is refused), MAIL FROM, one RCPT TO per recipient, DATA, the message with every line ended by CRLF and dot-stuffed (a line that starts with a dot gets one more dot in front), the line with a lone dot, and QUIT. Send one command at a time and wait for its whole reply (a reply may have several lines: 250-... lines and a last 250 line) before the next one; exit with status 0 when the message was accepted. The program runs with a 10 s time limit, no network but the server's port, and no standard input.","es":"Escrib\u00ed un cliente SMTP peque\u00f1o en C o Python. Se ejecuta como `programa REMITENTE DESTINATARIO...` (ac\u00e1: juan@gmail.com mcarri@dc.uba.ar pepe@gil.com.ar) y debe enviar el mensaje que est\u00e1 en la variable de entorno MAILSIM_MESSAGE (l\u00edneas separadas por \\n: campos de encabezado, una l\u00ednea vac\u00eda, el cuerpo) al servidor SMTP en MAILSIM_SMTP_HOST, puerto MAILSIM_SMTP_PORT (tambi\u00e9n variables de entorno). Como la sesi\u00f3n de telnet de la secci\u00f3n 3 del apunte, pero con un programa: esperar el saludo del servidor, despu\u00e9s enviar EHLO (o HELO si EHLO es rechazado), MAIL FROM, un RCPT TO por destinatario, DATA, el mensaje con cada l\u00ednea terminada en CRLF y con dot-stuffing (a una l\u00ednea que empieza con punto se le agrega otro punto adelante), la l\u00ednea con un punto solo, y QUIT. Enviar un comando por vez y esperar su respuesta completa (una respuesta puede tener varias l\u00edneas: l\u00edneas 250-... y una \u00faltima 250) antes del siguiente; terminar con estado 0 cuando el mensaje fue aceptado. El programa corre con un l\u00edmite de 10 s, sin m\u00e1s red que el puerto del servidor y sin entrada est\u00e1ndar."},"note_section":"3 (SMTP by telnet), as a program","scenario":{"title":"Exercise smtp-client-program: a student's SMTP client delivers through the bridge","description":"The world of the class note's telnet session (section 3), without the typed session: the student's program connects through the bridge as if from milagro.dc.uba.ar to smtp-1.dc.uba.ar port 25 and sends one message to a local user (mcarri@dc.uba.ar) and to one at gil.com.ar, which smtp-1 relays to gil.com.ar's MX.","seed":1,"until":"2m","hosts":[{"name":"milagro","role":"ua","ip":"10.0.1.7","fqdn":"milagro.dc.uba.ar","description":"the machine the note's author typed on"},{"name":"smtp-1","role":"mta","ip":"10.0.2.61","fqdn":"smtp-1.dc.uba.ar","description":"the department's mail server (smtp-1.dmz.dc.uba.ar)"},{"name":"mx-gil","role":"mailbox","ip":"10.0.3.25","fqdn":"mx.gil.com.ar","description":"gil.com.ar's mail server, where pepe reads his mail"},{"name":"dns","role":"dns","ip":"10.0.4.53","fqdn":"ns.example","description":"the DNS server"},{"name":"internet","role":"router","interfaces":[{"name":"to-milagro","ip":"10.0.1.1"},{"name":"to-smtp-1","ip":"10.0.2.1"},{"name":"to-mx-gil","ip":"10.0.3.1"},{"name":"to-dns","ip":"10.0.4.1"}],"description":"the network joining everybody"}],"links":[{"a":"milagro","b":"internet","b_iface":"to-milagro","latency":"5ms","bandwidth":"100Mbps"},{"a":"smtp-1","b":"internet","b_iface":"to-smtp-1","latency":"5ms","bandwidth":"100Mbps"},{"a":"mx-gil","b":"internet","b_iface":"to-mx-gil","latency":"5ms","bandwidth":"100Mbps"},{"a":"dns","b":"internet","b_iface":"to-dns","latency":"5ms","bandwidth":"100Mbps"}],"dns":{"server":"dns","zones":[{"origin":"dc.uba.ar","records":[{"name":"dc.uba.ar","type":"MX","value":"10 smtp-1.dc.uba.ar"}]},{"origin":"gil.com.ar","records":[{"name":"gil.com.ar","type":"MX","value":"10 mx.gil.com.ar"}]},{"origin":"example"}]},"mtas":[{"host":"smtp-1","domains":["dc.uba.ar"],"users":[{"address":"mcarri@dc.uba.ar","password":"x"}],"relay_from":["10.0.1.0/24"],"texts":{"greeting":"%h ESMTP","helo":"%h","mail_ok":"ok","rcpt_ok":"ok","data":"go ahead punk, make my day","queued":"ok 1150944635 qp 24023 by %h","quit":"%h Goodbye."}},{"host":"mx-gil","domains":["gil.com.ar"],"users":[{"address":"pepe@gil.com.ar","password":"x"}]}],"mail":[],"expect":[]},"until":"2m","submission":{"kind":"program","max_bytes":65536,"languages":["c","python"],"bridge":{"via":"milagro","to":"smtp-1","port":25},"wall_limit":"10s","cpu_limit":"3s","memory_mb":256,"args":["juan@gmail.com","mcarri@dc.uba.ar","pepe@gil.com.ar"],"env":{"MAILSIM_MESSAGE":"From: Juan <juan@gmail.com>\nTo: mcarri@dc.uba.ar, pepe@gil.com.ar\nSubject: Informe de la practica\n\nHola,\nla lista de pasos:\n.\n.profile y .bashrc ya estan listos\nChau!"}},"checks":[{"id":"local-delivered","points":2,"type":"delivered","mailbox":"mcarri@dc.uba.ar","match":{"subject":"Informe de la practica"},"title":{"en":"The message reached mcarri@dc.uba.ar","es":"El mensaje lleg\u00f3 a mcarri@dc.uba.ar"},"feedback":{"en":"The message did not reach the local user mcarri@dc.uba.ar. Did your program connect to MAILSIM_SMTP_HOST:MAILSIM_SMTP_PORT, send RCPT TO:<mcarri@dc.uba.ar> and end the DATA with a line holding a lone dot?","es":"El mensaje no lleg\u00f3 al usuario local mcarri@dc.uba.ar. \u00bfTu programa se conect\u00f3 a MAILSIM_SMTP_HOST:MAILSIM_SMTP_PORT, envi\u00f3 RCPT TO:<mcarri@dc.uba.ar> y termin\u00f3 el DATA con una l\u00ednea con un punto solo?"}},{"id":"remote-delivered","points":2,"type":"delivered","mailbox":"pepe@gil.com.ar","match":{"subject":"Informe de la practica"},"title":{"en":"The message was relayed to pepe@gil.com.ar","es":"El mensaje fue reenviado a pepe@gil.com.ar"},"feedback":{"en":"The message did not reach pepe@gil.com.ar: every recipient needs its own RCPT TO command, and smtp-1 relays the message to gil.com.ar's MX.","es":"El mensaje no lleg\u00f3 a pepe@gil.com.ar: cada destinatario necesita su propio comando RCPT TO, y smtp-1 reenv\u00eda el mensaje al MX de gil.com.ar."}},{"id":"dot-line-kept","points":1,"type":"delivered","mailbox":"mcarri@dc.uba.ar","match":{"subject":"Informe de la practica","body":".profile y .bashrc ya estan listos"},"title":{"en":"Lines starting with a dot arrived intact","es":"Las l\u00edneas que empiezan con punto llegaron intactas"},"feedback":{"en":"The message's lines that start with a dot did not arrive as written. In DATA a line with a lone dot ends the message, so the client must add a dot in front of every line that starts with one (dot-stuffing, RFC 5321 section 4.5.2); the server removes it.","es":"Las l\u00edneas del mensaje que empiezan con punto no llegaron como estaban escritas. En DATA una l\u00ednea con un punto solo termina el mensaje, as\u00ed que el cliente debe agregar un punto adelante de cada l\u00ednea que empieza con uno (dot-stuffing, RFC 5321 secci\u00f3n 4.5.2); el servidor lo quita."}},{"id":"message-complete","points":1,"type":"delivered","mailbox":"mcarri@dc.uba.ar","match":{"subject":"Informe de la practica","body":"Chau!"},"title":{"en":"The whole message arrived","es":"Lleg\u00f3 el mensaje completo"},"feedback":{"en":"The message arrived cut short: its last line (\"Chau!\") is missing. A line of the message holding a lone dot ended the DATA early; dot-stuff the lines that start with a dot.","es":"El mensaje lleg\u00f3 cortado: falta su \u00faltima l\u00ednea (\"Chau!\"). Una l\u00ednea del mensaje con un punto solo termin\u00f3 el DATA antes de tiempo; aplic\u00e1 dot-stuffing a las l\u00edneas que empiezan con punto."}},{"id":"waited-for-replies","points":2,"type":"waited","title":{"en":"Waited for the greeting and for each reply","es":"Esper\u00f3 el saludo y cada respuesta"},"feedback":{"en":"Your program sent commands before the server had answered: an SMTP client must read the 220 greeting before its first command and the whole reply to each command before sending the next (the server did not offer PIPELINING, and even with it the greeting must come first).","es":"Tu programa envi\u00f3 comandos antes de que el servidor respondiera: un cliente SMTP debe leer el saludo 220 antes de su primer comando y la respuesta completa a cada comando antes de enviar el siguiente (el servidor no ofreci\u00f3 PIPELINING, y aun con \u00e9l primero hay que esperar el saludo)."}},{"id":"quit","points":1,"type":"reply","code":"221","after":"QUIT","seen":true,"title":{"en":"The session ended with QUIT","es":"La sesi\u00f3n termin\u00f3 con QUIT"},"feedback":{"en":"The session did not end with QUIT and its 221 reply. After the message, send QUIT and read the reply before closing the connection; a program that waits for the server to hang up first waits forever.","es":"La sesi\u00f3n no termin\u00f3 con QUIT y su respuesta 221. Despu\u00e9s del mensaje, envi\u00e1 QUIT y le\u00e9 la respuesta antes de cerrar la conexi\u00f3n; un programa que espera que el servidor corte primero espera para siempre."}},{"id":"no-protocol-errors","points":1,"type":"no_protocol_errors","title":{"en":"No protocol errors","es":"Sin errores de protocolo"},"feedback":{"en":"The server answered some line with a protocol error (500-503): it received something it did not expect, such as message text after the DATA had ended.","es":"El servidor respondi\u00f3 a alguna l\u00ednea con un error de protocolo (500-503): recibi\u00f3 algo que no esperaba, como texto del mensaje despu\u00e9s de que termin\u00f3 el DATA."}}]}ÿ#!/usr/bin/env python3
"""Reference solution (Python): a small SMTP client that sends the message in
MAILSIM_MESSAGE from argv[1] to argv[2:] through MAILSIM_SMTP_HOST:PORT,
waiting for every reply (RFC 5321: lock-step, no pipelining)."""
import os
import socket
import sys


class SMTPError(Exception):
    pass


def read_reply(f):
    """One reply, maybe multi-line ("250-..." lines then "250 ...")."""
    lines = []
    while True:
        line = f.readline()
        if not line:
            raise SMTPError("the server closed the connection")
        line = line.decode("utf-8", "replace").rstrip("\r\n")
        lines.append(line)
        if len(line) < 4 or line[3] != "-":
            return int(line[:3]), lines


def command(sock, f, text, expect):
    sock.sendall(text.encode() + b"\r\n")
    code, lines = read_reply(f)
    if code // 100 != expect:
        raise SMTPError("%s -> %s" % (text, lines[-1]))
    return code


def main():
    host = os.environ["MAILSIM_SMTP_HOST"]
    port = int(os.environ["MAILSIM_SMTP_PORT"])
    sender, rcpts = sys.argv[1], sys.argv[2:]
    message = os.environ["MAILSIM_MESSAGE"]
    sock = socket.create_connection((host, port), timeout=30)
    f = sock.makefile("rb")
    code, _ = read_reply(f)  # the greeting comes first
    if code != 220:
        raise SMTPError("greeting %d" % code)
    try:
        command(sock, f, "EHLO milagro.dc.uba.ar", 2)
    except SMTPError:
        command(sock, f, "HELO milagro.dc.uba.ar", 2)
    command(sock, f, "MAIL FROM:<%s>" % sender, 2)
    accepted = 0
    for r in rcpts:
        try:
            command(sock, f, "RCPT TO:<%s>" % r, 2)
            accepted += 1
        except SMTPError as e:
            print("refused:", e, file=sys.stderr)
    if accepted:
        command(sock, f, "DATA", 3)
        data = b""
        for line in message.split("\n"):
            if line.startswith("."):
                line = "." + line  # dot-stuffing (RFC 5321 4.5.2)
            data += line.encode() + b"\r\n"
        sock.sendall(data + b".\r\n")
        code, lines = read_reply(f)
        if code != 250:
            raise SMTPError("end of data -> " + lines[-1])
        print("sent:", lines[-1])
    command(sock, f, "QUIT", 2)
    sock.close()
    return 0 if accepted == len(rcpts) else 1


if __name__ == "__main__":
    sys.exit(main())
