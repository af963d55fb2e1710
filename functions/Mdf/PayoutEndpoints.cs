using Microsoft.Extensions.DependencyInjection.Extensions;
using Tcma.Storage.Mdf;

namespace Tcma.Functions.Mdf;

/// <summary>Finance's side of MDF: payouts owed to partners, ERP exports, and payments recorded against the fund ledger.</summary>
public static class PayoutEndpoints
{
    public static WebApplicationBuilder AddMdfPayouts(this WebApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton<FundLedgerStore>();
        builder.Services.TryAddSingleton<PayoutStore>();
        return builder;
    }

    public static WebApplication MapMdfPayouts(this WebApplication app) => app;
}
