/* The Intel VT-x backend (being written). */
#include <mica/errno.h>
#include <asm/hvm.h>

const struct hvm_ops vmx_ops = { .name = "Intel VT-x (VMX + EPT)" };

bool vmx_available(const char **why)
{
    *why = "the VMX backend is not built yet";
    return false;
}

int vmx_init(void)
{
    return -ENODEV;
}
