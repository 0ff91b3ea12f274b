/* Interrupt entry points of the test guests: the event-channel upcall and
 * the CPU's exceptions, which report and crash the domain. */
        .text
        .code32

        .globl  upcall_entry
upcall_entry:
        pushal
        cld
        call    events_upcall
        popal
        iretl

/* Exceptions 0-31: push a dummy error code where the CPU pushes none, then
 * the vector, so that exception_report sees one frame shape. */
        .macro  exc n
        .balign 16
        .if (\n == 8) || (\n >= 10 && \n <= 14) || (\n == 17) || (\n == 21)
        pushl   $\n
        .else
        pushl   $0
        pushl   $\n
        .endif
        jmp     exc_common
        .endm

        .balign 16
        .globl  exception_stubs
exception_stubs:
        .irp    n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        exc     \n
        .endr

exc_common:
        cld
        pushl   %esp                    /* -> vector, error code, EIP, CS, EFLAGS */
        call    exception_report        /* does not return */
1:      hlt
        jmp     1b
